// Package core holds the commands every user has whatever flow they are in: /menu and /help.
package core

import (
	"github.com/m4pris/mentorbot/flows"
)

// Feature is /menu and /help.
func Feature() flows.Feature {
	menu := &flows.Action{
		Name: "menu", Commands: []string{"menu"}, Reset: true,
		Run: func(c *flows.Ctx) { c.Say(c.T("core.menu"), c.Menu()...) },
	}
	help := &flows.Action{
		Name: "help", Commands: []string{"help"}, BeforeOnboarding: true,
		Menu: "menu.help", MenuOrder: 95,
		Run: func(c *flows.Ctx) {
			text := c.T("core.help")
			if c.Profile.Has(flows.Coordinator) {
				text += "\n\n" + c.T("core.help_coordinator")
			}
			var rows [][]flows.Button
			if r := flows.ResumeButton(c); r != nil {
				rows = append(rows, r)
			}
			c.Say(text, rows...)
		},
	}
	return flows.Feature{Name: "core", Actions: []*flows.Action{menu, help}}
}
