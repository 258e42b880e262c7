// Package privacy carries the user's rights: /privacy shows what is stored and the consents with buttons to
// withdraw them, /export sends everything as JSON, /forget erases everything after a confirmation.
package privacy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// Exporter adds a feature's data to the export in readable form (decrypted check-ins, sessions kept elsewhere).
// It returns the section name and its value.
type Exporter func(c *flows.Ctx) (string, any, error)

// Feature is the privacy actions and the forget flow. exporters add sections to /export.
func Feature(exporters ...Exporter) flows.Feature {
	show := &flows.Action{
		Name: "privacy", Commands: []string{"privacy"}, BeforeOnboarding: true,
		Menu: "menu.privacy", MenuOrder: 90,
		Run: showPrivacy,
	}
	consent := &flows.Action{
		Name: "consent", BeforeOnboarding: true,
		Run: toggleConsent,
	}
	export := &flows.Action{
		Name: "export", Commands: []string{"export"}, BeforeOnboarding: true,
		Run: func(c *flows.Ctx) { export(c, exporters) },
	}
	forget := &flows.Flow{
		Name: "forget", Version: 1, First: "confirm", Commands: []string{"forget"}, BeforeOnboarding: true,
		Steps: map[string]flows.Step{"confirm": {Ask: askForget, Answer: answerForget}},
	}
	return flows.Feature{Name: "privacy", Flows: []*flows.Flow{forget}, Actions: []*flows.Action{show, consent, export}}
}

func onOff(c *flows.Ctx, cn flows.Consent) string {
	if cn.Given {
		return c.T("privacy.consent_on", "Date", cn.At.In(c.Profile.Location()).Format("2006-01-02"))
	}
	return c.T("privacy.consent_off")
}

func showPrivacy(c *flows.Ctx) {
	p := c.Profile
	roles := ""
	for i, r := range p.Roles {
		if i > 0 {
			roles += ", "
		}
		roles += c.T("role." + string(r))
	}
	if roles == "" {
		roles = "–"
	}
	name := p.Name
	if name == "" {
		name = "–"
	}
	c.Say(c.T("privacy.show",
		"Name", name, "Lang", c.T("lang."+c.Lang()), "Roles", roles, "Zone", p.Location().String(),
		"Scores", onOff(c, p.Consents.KeepScores), "Alerts", onOff(c, p.Consents.AlertCoordinator),
		"Lessons", len(p.Lessons.Done), "Since", p.Created.In(p.Location()).Format("2006-01-02"),
		"Quiet", quiet(c), "DaysOff", daysOff(c), "Accounts", accounts(p),
	))
	scores := flows.ActionButton(c.T("privacy.scores_off"), "consent", "scores", "off")
	if !p.Consents.KeepScores.Given {
		scores = flows.ActionButton(c.T("privacy.scores_on"), "consent", "scores", "on")
	}
	alerts := flows.ActionButton(c.T("privacy.alerts_off"), "consent", "alerts", "off")
	if !p.Consents.AlertCoordinator.Given {
		alerts = flows.ActionButton(c.T("privacy.alerts_on"), "consent", "alerts", "on")
	}
	rows := [][]flows.Button{
		{scores}, {alerts},
		{flows.ActionButton(c.T("privacy.export"), "export"), flows.ActionButton(c.T("privacy.forget"), "forget")},
	}
	if r := flows.ResumeButton(c); r != nil {
		rows = append(rows, r)
	}
	c.Say(c.T("privacy.choices"), rows...)
}

func toggleConsent(c *flows.Ctx) {
	var which, to string
	if f := strings.Fields(c.Event.Args); len(f) == 2 {
		which, to = f[0], f[1]
	}
	on := to == "on"
	if to != "on" && to != "off" {
		c.Say(c.T("core.stale"))
		return
	}
	p := c.Profile
	switch which {
	case "scores":
		p.Consents.KeepScores = flows.Consent{Given: on, At: c.Now}
		if !on {
			p.Checkins.Sealed = ""
			c.Say(c.T("privacy.scores_withdrawn"))
			return
		}
		c.Say(c.T("privacy.scores_given"))
	case "alerts":
		p.Consents.AlertCoordinator = flows.Consent{Given: on, At: c.Now}
		if !on {
			c.Say(c.T("privacy.alerts_withdrawn"))
			return
		}
		c.Say(c.T("privacy.alerts_given"))
	default:
		c.Say(c.T("core.stale"))
	}
}

// exportDoc is the /export document: every field the bot keeps about the user, in plain names.
type exportDoc struct {
	Format   string         `json:"format"`
	Exported time.Time      `json:"exported"`
	Profile  *flows.Profile `json:"profile"`
	Sections map[string]any `json:"sections,omitempty"`
}

func export(c *flows.Ctx, exporters []Exporter) {
	doc := exportDoc{Format: "mentorbot-export/1", Exported: c.Now, Profile: c.Profile, Sections: map[string]any{}}
	for _, ex := range exporters {
		name, v, err := ex(c)
		if err != nil {
			c.Say(c.T("core.unavailable"))
			return
		}
		doc.Sections[name] = v
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		c.Say(c.T("core.internal"))
		return
	}
	c.Reply(flows.Reply{
		Text: c.T("privacy.export_text", "Size", strconv.Itoa(len(data))),
		File: &flows.File{Name: "mentorbot-export.json", Type: "application/json", Data: data},
	})
}

func askForget(c *flows.Ctx) {
	c.Ask(c.T("privacy.forget_ask"), flows.Row(
		flows.Choice(c.T("privacy.forget_yes"), "yes"), flows.Choice(c.T("privacy.forget_no"), "no"),
	))
}

func answerForget(c *flows.Ctx) {
	v, ok := c.Choice()
	if !ok {
		c.Reask(c.T("core.use_buttons"))
		return
	}
	if v != "yes" {
		c.Say(c.T("privacy.forget_kept"))
		c.Done()
		return
	}
	c.Erase()
	c.Say(c.T("privacy.forget_done"))
	c.Done()
}

func quiet(c *flows.Ctx) string {
	w := c.Profile.Quiet
	if w.From == w.To {
		return c.T("onb.quiet_none")
	}
	return fmt.Sprintf("%02d:%02d–%02d:%02d", w.From/60, w.From%60, w.To/60, w.To%60)
}

func daysOff(c *flows.Ctx) string {
	if len(c.Profile.DaysOff) == 0 {
		return c.T("settings.days_off_none")
	}
	days := slices.Clone(c.Profile.DaysOff)
	slices.SortFunc(days, func(a, b int) int { return (a+6)%7 - (b+6)%7 })
	names := make([]string, len(days))
	for i, d := range days {
		names[i] = c.T("day." + strconv.Itoa(d))
	}
	return strings.Join(names, ", ")
}

// accounts names the platforms the user is reached on, never the platform ids.
func accounts(p *flows.Profile) string {
	var out []string
	for _, id := range p.Identities {
		name := map[flows.Platform]string{flows.Telegram: "Telegram", flows.Slack: "Slack", flows.Console: "local chat"}[id.Platform]
		if name != "" && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return strings.Join(out, ", ")
}
