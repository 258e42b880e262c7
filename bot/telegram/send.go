package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/m4pris/mentorbot/flows"
)

// Send implements flows.Sender: it sends replies to a Telegram user (a private chat has the user's id) and
// returns once they are sent, or flows.ErrUnreachable when the user blocked the bot.
func (a *Adapter) Send(ctx context.Context, to flows.Identity, replies []flows.Reply) error {
	if to.Platform != flows.Telegram {
		return flows.ErrUnreachable
	}
	chat, err := strconv.ParseInt(to.ID, 10, 64)
	if err != nil || chat <= 0 {
		return fmt.Errorf("telegram send: %w: bad user id", flows.ErrUnreachable)
	}
	return a.out.put(ctx, job{chat: chat, replies: replies}, true)
}

// callTimeout bounds one Bot API request.
const callTimeout = 30 * time.Second

// maxPauses bounds how often one call waits out a 429 before giving up.
const maxPauses = 10

// deliver sends one job: the callback answer, then each reply in order. It stops at the first reply that cannot
// be sent (unreachable user, Telegram down after retries) and returns why; settle records the outcome of durable
// replies.
func (a *Adapter) deliver(ctx context.Context, j job) error {
	return a.settle(ctx, &j, a.sendJob(ctx, &j))
}

func (a *Adapter) sendJob(ctx context.Context, j *job) error {
	// One booking for every call of the job: one shared-schedule round trip, not one per message.
	if plan := j.plan(); plan != "" {
		j.sched = schedule{plan: plan, at: a.pacer.book(ctx, j.chat, plan)}
	}
	if j.callback != "" {
		err := a.call(ctx, j, false, "answerCallbackQuery", func(ctx context.Context) error {
			_, err := a.api.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: j.callback, Text: j.toast})
			return err
		})
		// A query older than Telegram keeps (a redelivery) cannot be answered; that is harmless.
		if err != nil && !errors.Is(err, bot.ErrorBadRequest) {
			a.log.Warn("answer callback", "err", err)
		}
	}
	for _, r := range j.replies {
		if err := a.sendReply(ctx, j, r); err != nil {
			if !errors.Is(err, flows.ErrUnreachable) {
				a.log.Error("send reply", "err", err)
			}
			return err
		}
	}
	return nil
}

func (a *Adapter) sendReply(ctx context.Context, j *job, r flows.Reply) error {
	if r.ClosePressed && j.pressed != 0 {
		pressed := j.pressed
		j.pressed = 0 // one removal per press, however many replies ask for it
		err := a.call(ctx, j, false, "editMessageReplyMarkup", func(ctx context.Context) error {
			_, err := a.api.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{
				ChatID: j.chat, MessageID: pressed, ReplyMarkup: removeKeyboard,
			})
			return err
		})
		// "message is not modified" (pressed twice) and "message can't be edited" (too old) are both fine.
		if err != nil && !errors.Is(err, bot.ErrorBadRequest) {
			return err
		}
	}
	kb, dropped := renderKeyboard(r.Buttons)
	if dropped > 0 {
		a.log.Error("buttons dropped: payload empty or over 64 bytes", "count", dropped)
	}
	pieces := SplitText(r.Text, MaxMessage)
	if len(pieces) == 0 && kb != nil {
		a.log.Error("reply has buttons but no text; buttons not sent")
	}
	for i, text := range pieces {
		if j.skip() {
			continue
		}
		p := &bot.SendMessageParams{
			ChatID: j.chat, Text: EscapeHTML(text), ParseMode: models.ParseModeHTML,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: bot.True()},
		}
		if i == len(pieces)-1 && kb != nil {
			p.ReplyMarkup = kb
		}
		err := a.call(ctx, j, true, "sendMessage", func(ctx context.Context) error {
			_, err := a.api.SendMessage(ctx, p)
			return err
		})
		if err != nil {
			return err
		}
		a.m.Sent()
		if err := a.sent(ctx, j); err != nil {
			return err
		}
	}
	if f := r.File; f != nil && !j.skip() {
		err := a.call(ctx, j, true, "sendDocument", func(ctx context.Context) error {
			_, err := a.api.SendDocument(ctx, &bot.SendDocumentParams{
				ChatID:   j.chat,
				Document: &models.InputFileUpload{Filename: f.Name, Data: bytes.NewReader(f.Data)},
			})
			return err
		})
		if err != nil {
			return err
		}
		a.m.Sent()
		if err := a.sent(ctx, j); err != nil {
			return err
		}
	}
	return nil
}

// plan is the pacer's plan of the calls deliver will make for j, in order: "l" for a light call (answering the
// callback, removing a keyboard), "m" for each message (a long text is several).
func (j *job) plan() string {
	var b strings.Builder
	if j.callback != "" {
		b.WriteByte('l')
	}
	pressed := j.pressed
	for _, r := range j.replies {
		if r.ClosePressed && pressed != 0 {
			b.WriteByte('l')
			pressed = 0
		}
		b.WriteString(strings.Repeat("m", len(SplitText(r.Text, MaxMessage))))
		if r.File != nil {
			b.WriteByte('m')
		}
	}
	return b.String()
}

// schedule is when each call of a job may go, booked at once by deliver.
type schedule struct {
	plan string
	at   []time.Time
	next int
}

// take returns the booked time of the job's next call if it is of the kind booked (message or light).
func (s *schedule) take(message bool) (time.Time, bool) {
	if s.next >= len(s.at) {
		return time.Time{}, false
	}
	i := s.next
	s.next++
	return s.at[i], (s.plan[i] == 'm') == message
}

// call runs one Bot API call of job j (nil for the adapter's own calls) under the pacer, retrying what is worth
// retrying: after a 429 every call of the bot waits retry_after; 5xx and network errors are retried with
// exponential backoff and full jitter. 403 means the user blocked the bot and becomes flows.ErrUnreachable. Other
// 4xx are returned as they are. The first attempt uses the time deliver booked for it; a retry books anew.
func (a *Adapter) call(ctx context.Context, j *job, message bool, method string, f func(context.Context) error) error {
	lim := a.pacer.limits
	var chat int64
	var booked time.Time
	if j != nil {
		chat = j.chat
		if at, ok := j.sched.take(message); ok {
			booked = at
		}
	}
	pauses, failures := 0, 0
	for attempt := 0; ; attempt++ {
		var err error
		if attempt == 0 && !booked.IsZero() {
			err = a.pacer.waitUntil(ctx, booked)
		} else {
			err = a.pacer.wait(ctx, chat, message)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		err = f(cctx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", method, ctx.Err())
		}
		var tooMany *bot.TooManyRequestsError
		switch {
		case errors.As(err, &tooMany):
			a.m.RateLimited()
			pauses++
			if pauses > maxPauses {
				return fmt.Errorf("%s: still rate limited after %d pauses: %w", method, maxPauses, err)
			}
			wait := time.Duration(max(tooMany.RetryAfter, 1)) * time.Second
			a.pacer.pause(ctx, wait)
			a.log.Warn("telegram rate limit: pausing all sends", "retry_after", wait.String(), "method", method)
			a.m.Retried()
		case errors.Is(err, bot.ErrorForbidden):
			return fmt.Errorf("%s: %w (%w)", method, flows.ErrUnreachable, err)
		case permanent(err):
			return fmt.Errorf("%s: %w", method, err)
		default:
			failures++
			if failures >= lim.Attempts {
				return fmt.Errorf("%s: %d attempts: %w", method, failures, err)
			}
			ceiling := lim.Backoff << (failures - 1)
			if ceiling <= 0 || ceiling > 30*time.Second {
				ceiling = 30 * time.Second
			}
			if err := a.pacer.sleep(ctx, rand.N(ceiling)+time.Millisecond); err != nil {
				return fmt.Errorf("%s: %w", method, err)
			}
			a.m.Retried()
		}
	}
}

// permanent reports Bot API answers that the same request would get again.
func permanent(err error) bool {
	var migrate *bot.MigrateError
	return errors.Is(err, bot.ErrorBadRequest) || errors.Is(err, bot.ErrorUnauthorized) ||
		errors.Is(err, bot.ErrorNotFound) || errors.Is(err, bot.ErrorConflict) || errors.As(err, &migrate)
}
