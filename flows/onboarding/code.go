package onboarding

import (
	"fmt"

	"github.com/m4pris/mentorbot/flows"
)

func (s *steps) askCode(c *flows.Ctx) error {
	c.Ask(c.T("onb.code"), flows.Row(flows.Choice(c.T("onb.role_guest"), "guest")))
	return nil
}

func looksLikeCode(t string) bool {
	_, ok := flows.NormalizeCode(t)
	return ok
}

func (s *steps) answerCode(c *flows.Ctx) error {
	if v, ok := c.Choice(); ok && v == "guest" {
		if !c.Profile.Member() {
			c.Profile.AddRole(flows.Guest)
		}
		next(c, "tz")
		return nil
	}
	p := c.Profile
	if c.Now.Before(p.InviteLock) {
		c.Reask(c.T("onb.code_locked"))
		return nil
	}
	code, ok := flows.NormalizeCode(c.Text())
	if !ok {
		s.fail(c, "onb.code_shape")
		return nil
	}
	inv, found, err := s.invites.TakeInvite(c.Context(), flows.HashCode(code))
	if err != nil {
		return fmt.Errorf("take invite: %w", err)
	}
	if !found || !c.Now.Before(inv.Expires) {
		s.fail(c, "onb.code_wrong")
		return nil
	}
	p.InviteFails = 0
	p.AddRole(inv.Role)
	c.Say(c.T("onb.code_ok", "Role", c.T("role."+string(inv.Role))))
	next(c, "tz")
	return nil
}

// fail counts a wrong code; too many lock code entry for a while, so codes cannot be guessed.
func (s *steps) fail(c *flows.Ctx, reason string) {
	p := c.Profile
	p.InviteFails++
	if p.InviteFails >= flows.InviteMaxFails {
		p.InviteFails = 0
		p.InviteLock = c.Now.Add(flows.InviteLockout)
		c.Reask(c.T("onb.code_locked"))
		return
	}
	c.Reask(c.N("onb.code_tries", flows.InviteMaxFails-p.InviteFails, "Reason", c.T(reason)))
}
