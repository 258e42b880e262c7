package flows

import "context"

type taskKey struct{}

// WithTask returns ctx carrying the task whose replies are being delivered. Engine.RunTask sets it so that a Sender
// can route by the job's Audience: the Slack adapter posts the replies of coordinator-facing alerts to the
// coordinators' channel when one is configured, instead of a direct message.
func WithTask(ctx context.Context, t Task) context.Context {
	return context.WithValue(ctx, taskKey{}, t)
}

// TaskFrom returns the task being delivered, if the replies come from one.
func TaskFrom(ctx context.Context) (Task, bool) {
	t, ok := ctx.Value(taskKey{}).(Task)
	return t, ok
}
