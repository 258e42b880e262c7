package flows

// JobAction is an Action only the delivery queue runs: its name holds a space, so no "g:" payload or typed
// command can reach it, and a user event is refused as stale besides. Jobs act on what other people did (a
// pairing, a proposal, a count), so a crafted button must never be able to run one.
func JobAction(job string, run func(c *Ctx)) *Action {
	return &Action{Name: "job " + job, Job: job, Run: func(c *Ctx) {
		if !c.Event.Internal() {
			c.Say(c.T("core.stale"))
			return
		}
		run(c)
	}}
}
