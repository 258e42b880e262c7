// Package coordinator holds what coordinators do in the programme: invites first; pairing, alerts and reports
// build on it.
package coordinator

import (
	"strconv"
	"strings"

	"github.com/m4pris/mentorbot/flows"
)

// MaxInvites is the most codes one /invite makes.
const MaxInvites = 20

// IsCoordinator lets coordinators in.
func IsCoordinator(p *flows.Profile) bool { return p.Has(flows.Coordinator) }

// Feature is the /invite flow: "/invite mentor 3", or without arguments a role choice.
func Feature(invites flows.Invites) flows.Feature {
	create := func(c *flows.Ctx, role flows.Role, n int) {
		codes := make([]string, 0, n)
		exp := c.Now.Add(flows.InviteTTL)
		for range n {
			code := flows.NewInviteCode()
			norm, _ := flows.NormalizeCode(code)
			err := invites.PutInvite(c.Context(), flows.HashCode(norm), flows.Invite{Role: role, By: c.Profile.ID, Expires: exp})
			if err != nil {
				c.Say(c.T("core.unavailable"))
				c.Done()
				return
			}
			codes = append(codes, code)
		}
		c.Say(c.N("invite.created", n, "Role", c.T("role."+string(role)),
			"Expires", exp.In(c.Profile.Location()).Format("2006-01-02"), "Codes", strings.Join(codes, "\n")))
		c.Done()
	}
	return flows.Feature{Name: "coordinator", Flows: []*flows.Flow{{
		Name: "invite", Version: 1, First: "role", Commands: []string{"invite"},
		Allow: IsCoordinator, Menu: "menu.invite", MenuOrder: 60,
		Start: func(c *flows.Ctx) {
			args := strings.Fields(strings.ToLower(c.Event.Args))
			if len(args) == 0 {
				return
			}
			role := flows.Role(args[0])
			n := 1
			if !flows.ValidRole(role) {
				c.Say(c.T("invite.usage"))
				return
			}
			if len(args) > 1 {
				v, err := strconv.Atoi(args[1])
				if err != nil || v < 1 || v > MaxInvites {
					c.Say(c.T("invite.count_bad", "Max", MaxInvites))
					c.Done()
					return
				}
				n = v
			}
			create(c, role, n)
		},
		Steps: map[string]flows.Step{
			"role": {
				Ask: func(c *flows.Ctx) {
					c.Ask(c.T("invite.which"), flows.Row(
						flows.Choice(c.T("role.mentee"), "mentee"),
						flows.Choice(c.T("role.mentor"), "mentor"),
						flows.Choice(c.T("role.coordinator"), "coordinator"),
					))
				},
				Answer: func(c *flows.Ctx) {
					v, ok := c.Choice()
					if !ok || !flows.ValidRole(flows.Role(v)) {
						c.Reask(c.T("core.use_buttons"))
						return
					}
					create(c, flows.Role(v), 1)
				},
			},
		},
	}}}
}
