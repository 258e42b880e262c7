// Package onboarding is the first conversation with a new user (language, what the bot is, consents, invite code
// or guest, time zone, quiet hours) and /settings, which reuses its steps to change any of them later.
package onboarding

import (
	"github.com/m4pris/mentorbot/flows"
)

// Name is the onboarding flow's name.
const Name = "onboarding"

// Version of the onboarding flow's steps and slots.
const Version = 1

// slotSettings marks a step entered from /settings: after it, the user returns to the settings list.
const slotSettings = "settings"

// Feature is the onboarding flow, the /settings flow and the /start action.
func Feature(invites flows.Invites) flows.Feature {
	s := &steps{invites: invites}
	onb := &flows.Flow{
		Name: Name, Version: Version, First: "lang", BeforeOnboarding: true,
		Steps: s.all(),
	}
	settings := &flows.Flow{
		Name: "settings", Version: Version, First: "menu", Commands: []string{"settings"},
		Menu: "menu.settings", MenuOrder: 80,
		Steps: s.all(),
	}
	start := &flows.Action{
		Name: "start", Commands: []string{"start"}, BeforeOnboarding: true, Reset: true,
		Run: func(c *flows.Ctx) error {
			if !c.Profile.Onboarded {
				c.StartFlow(Name)
				return nil
			}
			c.Say(c.T("onb.welcome_back", "Name", c.Profile.Name), c.Menu()...)
			return nil
		},
	}
	return flows.Feature{Name: "onboarding", Flows: []*flows.Flow{onb, settings}, Actions: []*flows.Action{start}}
}

type steps struct {
	invites flows.Invites
}

func (s *steps) all() map[string]flows.Step {
	return map[string]flows.Step{
		"menu":  {Ask: s.askSettings, Choose: s.answerSettings},
		"lang":  {Ask: s.askLang, Answer: s.answerLang},
		"about": {Ask: s.askAbout, Choose: s.answerAbout},
		"consent_scores": consent("onb.consent_scores", "consent_alerts", func(c *flows.Ctx, yes bool) {
			c.Profile.Consents.KeepScores = flows.Consent{Given: yes, At: c.Now}
			if !yes {
				// Withdrawal is erasure: nothing kept under the old consent survives it.
				c.Profile.Checkins.Sealed = ""
			}
		}),
		"consent_alerts": consent("onb.consent_alerts", "role", func(c *flows.Ctx, yes bool) {
			c.Profile.Consents.AlertCoordinator = flows.Consent{Given: yes, At: c.Now}
		}),
		"role":      {Ask: s.askRole, Answer: s.answerRole},
		"code":      {Ask: s.askCode, Answer: s.answerCode},
		"tz":        {Ask: s.askTZ, Answer: s.answerTZ},
		"tz_other":  {Ask: s.askTZOther, Answer: s.answerTZOther},
		"quiet":     {Ask: s.askQuiet, Answer: s.answerQuiet},
		"quiet_own": {Ask: s.askQuietOwn, Answer: s.answerQuietOwn},
		"days_off":  {Ask: s.askDaysOff, Choose: s.answerDaysOff},
	}
}

// next moves to the onboarding step after the current one, or back to the settings list.
func next(c *flows.Ctx, step string) {
	if c.Slot(slotSettings) != "" {
		c.Say(c.T("settings.saved"))
		c.Goto("menu")
		return
	}
	c.Goto(step)
}

func (s *steps) askLang(c *flows.Ctx) error {
	c.Ask(c.T("onb.lang"), flows.Row(
		flows.Choice("English", "en"), flows.Choice("Dansk", "da"), flows.Choice("Română", "ro"),
	))
	return nil
}

func (s *steps) answerLang(c *flows.Ctx) error {
	v, ok := c.Choice()
	if !ok {
		v = langFromText(c.Text())
	}
	if v == "" {
		c.Reask(c.T("onb.lang_pick"))
		return nil
	}
	c.Profile.Lang = v
	if c.Profile.TZ == "" {
		c.Profile.TZ = flows.DefaultTZ(v)
	}
	next(c, "about")
	return nil
}

// langFromText accepts a typed language name in any of the three languages.
func langFromText(t string) string {
	switch normalize(t) {
	case "english", "engelsk", "engleza", "en":
		return "en"
	case "dansk", "danish", "daneza", "da":
		return "da"
	case "romana", "romanian", "rumaensk", "rumænsk", "ro":
		return "ro"
	}
	return ""
}

func (s *steps) askAbout(c *flows.Ctx) error {
	c.Ask(c.T("onb.about"), flows.Row(
		flows.Choice(c.T("onb.about_ok"), "ok"),
		flows.ActionButton(c.T("onb.about_more"), "privacy"),
	))
	return nil
}

func (s *steps) answerAbout(c *flows.Ctx, _ string) error {
	c.Goto("consent_scores")
	return nil
}

func yesNo(c *flows.Ctx, yes, no string) []flows.Button {
	return flows.Row(flows.Choice(c.T(yes), "yes"), flows.Choice(c.T(no), "no"))
}

// consent is a yes/no consent step: the question (UI string key, with key_yes and key_no as the buttons), a
// yes or no typed or pressed, set with the answer, then the step after (or back to /settings).
func consent(key, after string, set func(c *flows.Ctx, yes bool)) flows.Step {
	return flows.Step{
		Ask: func(c *flows.Ctx) error {
			c.Ask(c.T(key), yesNo(c, key+"_yes", key+"_no"))
			return nil
		},
		Answer: func(c *flows.Ctx) error {
			v, ok := yesNoAnswer(c)
			if !ok {
				c.ReaskButtons()
				return nil
			}
			set(c, v)
			next(c, after)
			return nil
		},
	}
}

func yesNoAnswer(c *flows.Ctx) (bool, bool) {
	if v, ok := c.Choice(); ok {
		return v == "yes", true
	}
	switch normalize(c.Text()) {
	case "yes", "ja", "da", "y", "j":
		return true, true
	case "no", "nej", "nu", "n":
		return false, true
	}
	return false, false
}

func (s *steps) askRole(c *flows.Ctx) error {
	c.Ask(c.T("onb.role"), flows.Row(flows.Choice(c.T("onb.role_code"), "code")), flows.Row(flows.Choice(c.T("onb.role_guest"), "guest")))
	return nil
}

func (s *steps) answerRole(c *flows.Ctx) error {
	v, ok := c.Choice()
	if !ok {
		// Someone who types a code straight away means the code.
		if looksLikeCode(c.Text()) {
			return s.answerCode(c)
		}
		c.ReaskButtons()
		return nil
	}
	if v == "code" {
		c.Goto("code")
		return nil
	}
	if !c.Profile.Member() {
		c.Profile.AddRole(flows.Guest)
	}
	next(c, "tz")
	return nil
}

func (s *steps) askTZ(c *flows.Ctx) error {
	c.Ask(c.T("onb.tz", "Zone", c.Profile.Location().String()), flows.Row(
		flows.Choice(c.T("onb.tz_cph"), "Europe/Copenhagen"),
		flows.Choice(c.T("onb.tz_buh"), "Europe/Bucharest"),
	), flows.Row(flows.Choice(c.T("onb.tz_other"), "other")))
	return nil
}

func (s *steps) answerTZ(c *flows.Ctx) error {
	v, ok := c.Choice()
	if !ok {
		return s.answerTZOther(c)
	}
	if v == "other" {
		c.Goto("tz_other")
		return nil
	}
	c.Profile.TZ = v
	next(c, "quiet")
	return nil
}

func (s *steps) askTZOther(c *flows.Ctx) error { c.Ask(c.T("onb.tz_type")); return nil }

func (s *steps) answerTZOther(c *flows.Ctx) error {
	name, ok := parseZone(c.Text())
	if !ok {
		c.Reask(c.T("onb.tz_bad"))
		return nil
	}
	c.Profile.TZ = name
	next(c, "quiet")
	return nil
}

func (s *steps) askQuiet(c *flows.Ctx) error {
	c.Ask(c.T("onb.quiet"),
		flows.Row(flows.Choice("22:00–07:00", "22:00-07:00"), flows.Choice("23:00–08:00", "23:00-08:00")),
		flows.Row(flows.Choice(c.T("onb.quiet_own"), "own"), flows.Choice(c.T("onb.quiet_none_btn"), "none")),
	)
	return nil
}

func (s *steps) answerQuiet(c *flows.Ctx) error {
	v, ok := c.Choice()
	switch {
	case !ok:
		return s.answerQuietOwn(c)
	case v == "own":
		c.Goto("quiet_own")
		return nil
	case v == "none":
		c.Profile.Quiet = flows.Window{}
	default:
		w, _ := parseWindow(v)
		c.Profile.Quiet = w
	}
	s.finishQuiet(c)
	return nil
}

func (s *steps) askQuietOwn(c *flows.Ctx) error { c.Ask(c.T("onb.quiet_type")); return nil }

func (s *steps) answerQuietOwn(c *flows.Ctx) error {
	w, ok := parseWindow(c.Text())
	if !ok {
		c.Reask(c.T("onb.quiet_bad"))
		return nil
	}
	c.Profile.Quiet = w
	s.finishQuiet(c)
	return nil
}

func (s *steps) finishQuiet(c *flows.Ctx) {
	if c.Slot(slotSettings) != "" {
		next(c, "")
		return
	}
	c.Profile.Onboarded = true
	c.Say(c.T("onb.done", "Name", c.Profile.Name, "Quiet", formatWindow(c.Profile.Quiet, c.T("onb.quiet_none"))), c.Menu()...)
	c.Done()
}
