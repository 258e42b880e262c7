package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/m4pris/mentorbot/flows"
)

// Durable replies (flows.Outbound): the replies of a handled update are saved with it; the outbox sends them and
// acknowledges each message Telegram accepted before the chat's next message goes, so a crash can repeat at most
// the one message in flight in a chat. A message is the unit of Outbound.Sent: each text piece (a long text is
// several) and each document counts one; a resend skips the ones acknowledged. The answer to a press edits the
// pressed message when it can; a resend without the press (the sweeper's) sends it as a new message instead.

var _ flows.OutboundSender = (*Adapter)(nil)

// SendOutbound implements flows.OutboundSender: it sends o's replies to a Telegram user from the message after
// the last acknowledged one, and returns once they are sent (o is then done), the user blocked the bot
// (flows.ErrUnreachable: o is left to the caller), or sending failed (o is released for a later attempt).
func (a *Adapter) SendOutbound(ctx context.Context, to flows.Identity, o *flows.Outbound) error {
	if to.Platform != flows.Telegram {
		return flows.ErrUnreachable
	}
	chat, err := strconv.ParseInt(to.ID, 10, 64)
	if err != nil || chat <= 0 {
		return fmt.Errorf("telegram send: %w: bad user id", flows.ErrUnreachable)
	}
	return a.out.put(ctx, job{chat: chat, replies: o.Replies, out: o}, true)
}

// skip counts the job's next message and reports whether it went out before (acknowledged in out.Sent), in which
// case its booked time is given up and it is not sent again.
func (j *job) skip() bool {
	j.part++
	if j.out == nil || j.part > j.out.Sent {
		return false
	}
	j.sched.take(true)
	return true
}

// sent records that the job's current message reached Telegram, and returns once that is durable. The job's last
// message is recorded by done instead (one acknowledgement for a one-message job).
func (a *Adapter) sent(ctx context.Context, j *job) error {
	if j.out == nil || j.part <= j.out.Sent || j.part >= j.messages() {
		return nil
	}
	return j.out.Progress(ctx, j.part)
}

// messages is how many messages the job sends in all.
func (j *job) messages() int {
	n := 0
	for _, r := range j.replies {
		n += len(SplitText(r.Text, MaxMessage))
		if r.File != nil {
			n++
		}
	}
	return n
}

// settleTimeout bounds the acknowledgement at the end of a job, which runs even when the job's context ended
// (shutdown): an acknowledgement lost is a message repeated later.
const settleTimeout = 5 * time.Second

// settle records how the job ended, given deliver's result: all sent (done), the user unreachable (done for an
// update's replies; a task's are the engine's to send elsewhere), a request Telegram will always refuse (done:
// trying again would fail again), anything else (released, for the sweeper or a redelivery to try again).
func (a *Adapter) settle(ctx context.Context, j *job, err error) error {
	if j.out == nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleTimeout)
	defer cancel()
	var serr error
	switch {
	case err == nil:
		serr = j.out.Done(ctx)
	case errors.Is(err, flows.ErrUnreachable):
		if j.update {
			serr = j.out.Done(ctx)
		}
	case permanent(err):
		a.log.Error("replies dropped: Telegram refuses them", "err", err)
		serr = j.out.Done(ctx)
	default:
		serr = j.out.Release(ctx)
	}
	if serr != nil {
		a.log.Error("pending replies not recorded", "err", serr)
	}
	return err
}
