package flows

// Audience is who the replies of a job are for. Most jobs speak to the one person their task is addressed to. A
// coordinator-facing alert speaks to the coordinators as a group (the task names one of them only so the queue can
// deliver it), so a platform with a shared coordinators' channel (Slack's SLACK_ALERT_CHANNEL) may post it there.
// The flow that owns a job declares its audience on the job's JobHandler; adapters ask Engine.Audience, never
// the job's name.
type Audience int

const (
	// ToPerson: the replies go to the profile the task is addressed to, in their own chat. The default.
	ToPerson Audience = iota
	// ToCoordinators: a coordinator-facing alert; it may go to the coordinators' shared channel instead.
	ToCoordinators
)

// Audience reports who the replies of job are for, as its handler declared (ToPerson for a job nobody handles).
func (e *Engine) Audience(job Job) Audience {
	if h := e.jobs[job]; h != nil {
		return h.Audience
	}
	return ToPerson
}
