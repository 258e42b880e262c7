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
		Run: func(c *flows.Ctx) {
			if !c.Profile.Onboarded {
				c.StartFlow(Name)
				return
			}
			c.Say(c.T("onb.welcome_back", "Name", c.Profile.Name), c.Menu()...)
		},
	}
	return flows.Feature{Name: "onboarding", Flows: []*flows.Flow{onb, settings}, Actions: []*flows.Action{start}}
}

type steps struct {
	invites flows.Invites
}

func (s *steps) all() map[string]flows.Step {
	return map[string]flows.Step{
		"menu":           {Ask: s.askSettings, Answer: s.answerSettings},
		"lang":           {Ask: s.askLang, Answer: s.answerLang},
		"about":          {Ask: s.askAbout, Answer: s.answerAbout},
		"consent_scores": {Ask: s.askScores, Answer: s.answerScores},
		"consent_alerts": {Ask: s.askAlerts, Answer: s.answerAlerts},
		"role":           {Ask: s.askRole, Answer: s.answerRole},
		"code":           {Ask: s.askCode, Answer: s.answerCode},
		"tz":             {Ask: s.askTZ, Answer: s.answerTZ},
		"tz_other":       {Ask: s.askTZOther, Answer: s.answerTZOther},
		"quiet":          {Ask: s.askQuiet, Answer: s.answerQuiet},
		"quiet_own":      {Ask: s.askQuietOwn, Answer: s.answerQuietOwn},
		"days_off":       {Ask: s.askDaysOff, Answer: s.answerDaysOff},
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

func (s *steps) askLang(c *flows.Ctx) {
	c.Ask(c.T("onb.lang"), flows.Row(
		flows.Choice("English", "en"), flows.Choice("Dansk", "da"), flows.Choice("Română", "ro"),
	))
}

func (s *steps) answerLang(c *flows.Ctx) {
	v, ok := c.Choice()
	if !ok {
		v = langFromText(c.Text())
	}
	if v == "" {
		c.Reask(c.T("onb.lang_pick"))
		return
	}
	c.Profile.Lang = v
	if c.Profile.TZ == "" {
		c.Profile.TZ = flows.DefaultTZ(v)
	}
	next(c, "about")
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

func (s *steps) askAbout(c *flows.Ctx) {
	c.Ask(c.T("onb.about"), flows.Row(
		flows.Choice(c.T("onb.about_ok"), "ok"),
		flows.ActionButton(c.T("onb.about_more"), "privacy"),
	))
}

func (s *steps) answerAbout(c *flows.Ctx) {
	if _, ok := c.Choice(); !ok {
		c.Reask(c.T("core.use_buttons"))
		return
	}
	c.Goto("consent_scores")
}

func yesNo(c *flows.Ctx, yes, no string) []flows.Button {
	return flows.Row(flows.Choice(c.T(yes), "yes"), flows.Choice(c.T(no), "no"))
}

func (s *steps) askScores(c *flows.Ctx) {
	c.Ask(c.T("onb.consent_scores"), yesNo(c, "onb.consent_scores_yes", "onb.consent_scores_no"))
}

func (s *steps) answerScores(c *flows.Ctx) {
	v, ok := yesNoAnswer(c)
	if !ok {
		c.Reask(c.T("core.use_buttons"))
		return
	}
	c.Profile.Consents.KeepScores = flows.Consent{Given: v, At: c.Now}
	if !v {
		// Withdrawal is erasure: nothing kept under the old consent survives it.
		c.Profile.Checkins.Sealed = ""
	}
	next(c, "consent_alerts")
}

func (s *steps) askAlerts(c *flows.Ctx) {
	c.Ask(c.T("onb.consent_alerts"), yesNo(c, "onb.consent_alerts_yes", "onb.consent_alerts_no"))
}

func (s *steps) answerAlerts(c *flows.Ctx) {
	v, ok := yesNoAnswer(c)
	if !ok {
		c.Reask(c.T("core.use_buttons"))
		return
	}
	c.Profile.Consents.AlertCoordinator = flows.Consent{Given: v, At: c.Now}
	next(c, "role")
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

func (s *steps) askRole(c *flows.Ctx) {
	c.Ask(c.T("onb.role"), flows.Row(flows.Choice(c.T("onb.role_code"), "code")), flows.Row(flows.Choice(c.T("onb.role_guest"), "guest")))
}

func (s *steps) answerRole(c *flows.Ctx) {
	v, ok := c.Choice()
	if !ok {
		// Someone who types a code straight away means the code.
		if looksLikeCode(c.Text()) {
			s.answerCode(c)
			return
		}
		c.Reask(c.T("core.use_buttons"))
		return
	}
	if v == "code" {
		c.Goto("code")
		return
	}
	if !c.Profile.Member() {
		c.Profile.AddRole(flows.Guest)
	}
	next(c, "tz")
}

func (s *steps) askTZ(c *flows.Ctx) {
	c.Ask(c.T("onb.tz", "Zone", c.Profile.Location().String()), flows.Row(
		flows.Choice(c.T("onb.tz_cph"), "Europe/Copenhagen"),
		flows.Choice(c.T("onb.tz_buh"), "Europe/Bucharest"),
	), flows.Row(flows.Choice(c.T("onb.tz_other"), "other")))
}

func (s *steps) answerTZ(c *flows.Ctx) {
	v, ok := c.Choice()
	if !ok {
		s.answerTZOther(c)
		return
	}
	if v == "other" {
		c.Goto("tz_other")
		return
	}
	c.Profile.TZ = v
	next(c, "quiet")
}

func (s *steps) askTZOther(c *flows.Ctx) { c.Ask(c.T("onb.tz_type")) }

func (s *steps) answerTZOther(c *flows.Ctx) {
	name, ok := parseZone(c.Text())
	if !ok {
		c.Reask(c.T("onb.tz_bad"))
		return
	}
	c.Profile.TZ = name
	next(c, "quiet")
}

func (s *steps) askQuiet(c *flows.Ctx) {
	c.Ask(c.T("onb.quiet"),
		flows.Row(flows.Choice("22:00–07:00", "22:00-07:00"), flows.Choice("23:00–08:00", "23:00-08:00")),
		flows.Row(flows.Choice(c.T("onb.quiet_own"), "own"), flows.Choice(c.T("onb.quiet_none_btn"), "none")),
	)
}

func (s *steps) answerQuiet(c *flows.Ctx) {
	v, ok := c.Choice()
	switch {
	case !ok:
		s.answerQuietOwn(c)
		return
	case v == "own":
		c.Goto("quiet_own")
		return
	case v == "none":
		c.Profile.Quiet = flows.Window{}
	default:
		w, _ := parseWindow(v)
		c.Profile.Quiet = w
	}
	s.finishQuiet(c)
}

func (s *steps) askQuietOwn(c *flows.Ctx) { c.Ask(c.T("onb.quiet_type")) }

func (s *steps) answerQuietOwn(c *flows.Ctx) {
	w, ok := parseWindow(c.Text())
	if !ok {
		c.Reask(c.T("onb.quiet_bad"))
		return
	}
	c.Profile.Quiet = w
	s.finishQuiet(c)
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
