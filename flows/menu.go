package flows

import "sort"

// Menu returns the menu buttons the user may use, two a row.
func (c *Ctx) Menu() [][]Button { return c.eng.menu(c) }

// menu builds the menu entries the user may use: the flows and actions with a Menu entry that let them in.
func (e *Engine) menu(c *Ctx) [][]Button {
	type entry struct {
		order int
		b     Button
	}
	var entries []entry
	for _, f := range e.flows {
		if f.Menu == "" || (f.Allow != nil && !f.Allow(c.Profile)) || (!c.Profile.Onboarded && !f.BeforeOnboarding) {
			continue
		}
		entries = append(entries, entry{f.MenuOrder, ActionButton(c.T(f.Menu), f.Commands[0])})
	}
	for _, a := range e.actions {
		if a.Menu == "" || (a.Allow != nil && !a.Allow(c.Profile)) || (!c.Profile.Onboarded && !a.BeforeOnboarding) {
			continue
		}
		cmd := a.Name
		if len(a.Commands) > 0 {
			cmd = a.Commands[0]
		}
		entries = append(entries, entry{a.MenuOrder, ActionButton(c.T(a.Menu), cmd)})
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].order != entries[j].order {
			return entries[i].order < entries[j].order
		}
		return entries[i].b.Label < entries[j].b.Label
	})
	// Two buttons a row keeps the menu short on a phone.
	var rows [][]Button
	for i := 0; i < len(entries); i += 2 {
		row := []Button{entries[i].b}
		if i+1 < len(entries) {
			row = append(row, entries[i+1].b)
		}
		rows = append(rows, row)
	}
	return rows
}

// ResumeButton is the button that asks the pending question again after an interruption (/help, /privacy).
func ResumeButton(c *Ctx) []Button {
	if c.State.Idle() {
		return nil
	}
	return []Button{ActionButton(c.T("core.resume"), "resume")}
}
