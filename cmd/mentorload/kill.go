package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// The kill test: `mentorbot serve` runs as a child process against real Redis and a fake Bot API (killapi.go);
// users go through a scripted conversation, one step after the other as a person would (waiting for the answer,
// or a few seconds when it does not come); serve is killed with SIGKILL at random points and started again at
// once. Telegram's side is played faithfully: in webhook mode an update is posted again until serve answers 200,
// in polling mode it stays in getUpdates until an offset confirms it. At the end every user's messages are
// compared with what the same conversation gives without kills: a message missing is lost, one too many is
// repeated.
//
//	go run ./cmd/mentorload -kill 20                  # webhook mode, 100 users
//	go run ./cmd/mentorload -kill 20 -polling

var (
	killFlag     = flag.Int("kill", -1, "kill test: SIGKILL serve this many times during a scripted conversation (0: the conversation alone, as a check) instead of the load")
	killPolling  = flag.Bool("polling", false, "kill test: Telegram in long-polling mode instead of webhook mode")
	killUsers    = flag.Int("kill-users", 100, "kill test: users going through the conversation at once")
	killStepWait = flag.Duration("kill-step-wait", 5*time.Second, "kill test: how long a user waits for an answer before the next step")
	killSettle   = flag.Duration("kill-settle", 90*time.Second, "kill test: how long to wait at the end for replies still owed")
)

// mainKill runs the kill test with the command line's options and prints its report.
func mainKill(ctx context.Context, o options) error {
	if o.bin == "" {
		dir, err := os.MkdirTemp("", "mentorload")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		logf("building ./cmd/mentorbot (CGO_ENABLED=0 -trimpath -ldflags \"-s -w\")")
		if o.bin, err = buildBinary(dir); err != nil {
			return err
		}
	}
	redisURL, err := withDB(o.redisURL, o.db)
	if err != nil {
		return err
	}
	rep, err := runKill(ctx, killOptions{
		bin: o.bin, redisURL: redisURL, users: *killUsers, kills: *killFlag, polling: *killPolling, seed: o.seed,
		stepWait: *killStepWait, settle: *killSettle, log: os.Stderr,
	})
	if err != nil {
		return err
	}
	fmt.Println("mentorload kill test,", rep)
	return nil
}

// killOptions configure a kill run.
type killOptions struct {
	bin      string // mentorbot binary
	redisURL string // Redis database to flush and use
	users    int
	kills    int
	steps    int // of the conversation (killSteps when 0)
	polling  bool
	seed     uint64
	// stepWait is how long a user waits for the answer to a step before going on; settle is how long the run
	// waits at the end for replies still owed (a lost reply never comes: the wait then runs out).
	stepWait, settle time.Duration
	// ready is how long serve may take to answer /readyz after a start (30 s when 0).
	ready time.Duration
	log   io.Writer
}

// killReport is what a kill run found.
type killReport struct {
	Mode                       string
	Users, Steps, Kills        int
	Updates                    int64 // updates the users sent (each until Telegram's side saw it accepted)
	Expected, Received         int   // messages
	Lost, Repeated, Unexpected int
	UsersLost, UsersRepeated   int
	MaxRepeated                int // most repeated messages of one user
	// MaxRepeatedPerKill is the most messages one user got again that were first sent between the same two kills
	// (so at most this many repeats a chat came from one kill).
	MaxRepeatedPerKill int
	Settled            time.Duration
}

func (r killReport) String() string {
	return fmt.Sprintf("%s: %d users × %d steps, %d kills, %d updates: %d messages expected, %d received; lost %d (%d users), repeated %d (%d users, at most %d a user, %d a user from one kill), unexpected %d; replies settled %.1f s after the last step",
		r.Mode, r.Users, r.Steps, r.Kills, r.Updates, r.Expected, r.Received, r.Lost, r.UsersLost, r.Repeated,
		r.UsersRepeated, r.MaxRepeated, r.MaxRepeatedPerKill, r.Unexpected, r.Settled.Seconds())
}

// script is one language's conversation: the updates a user sends and the messages the bot answers without kills.
type script struct {
	steps    []action
	expected []string
	// after[i] is how many messages have come once step i is answered.
	after []int
}

// runKill runs the kill test.
func runKill(ctx context.Context, o killOptions) (killReport, error) {
	rep := killReport{Mode: "webhook", Users: o.users, Kills: o.kills}
	if o.polling {
		rep.Mode = "polling"
	}
	logf := func(format string, a ...any) { fmt.Fprintf(o.log, "mentorload kill: "+format+"\n", a...) }
	ropt, err := goredis.ParseURL(o.redisURL)
	if err != nil {
		return rep, err
	}
	rc := goredis.NewClient(ropt)
	defer rc.Close()
	if err := rc.FlushDB(ctx).Err(); err != nil {
		return rep, fmt.Errorf("flush redis: %w", err)
	}
	api, err := startKillAPI()
	if err != nil {
		return rep, err
	}
	defer api.close()
	addr, err := freeAddr()
	if err != nil {
		return rep, err
	}
	const secret = "kill-secret"
	env := map[string]string{
		"REDIS_URL":           o.redisURL,
		"TELEGRAM_BOT_TOKEN":  fakeToken,
		"TELEGRAM_API_URL":    api.URL,
		"TELEGRAM_SEND_RATE":  "100000",
		"MENTORBOT_HTTP_ADDR": addr,
		"MENTORBOT_LOG_LEVEL": "warn",
		"MENTORBOT_DATA_KEY":  "kill:" + randomB64(32),
		"MENTORBOT_LOG_KEY":   randomB64(16),
	}
	if !o.polling {
		env["TELEGRAM_WEBHOOK_URL"] = "https://kill.invalid/telegram/webhook"
		env["TELEGRAM_WEBHOOK_SECRET"] = secret
	}
	var mu sync.Mutex // guards c
	c, err := startChild(o.bin, env)
	if err != nil {
		return rep, err
	}
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	}()
	ready := cmp.Or(o.ready, 30*time.Second)
	if err := c.waitReady(ready); err != nil {
		return rep, fmt.Errorf("%w (log: %s)", err, c.log)
	}
	hook := "http://" + addr + "/telegram/webhook"
	client := &http.Client{Timeout: 30 * time.Second}
	var updateID, accepted atomic.Int64
	// send hands an update to serve as Telegram would: posted until answered 200, or queued for getUpdates.
	send := func(u *user, a action) {
		if o.polling {
			api.push(func(id int64) []byte { return u.body(id, a) })
			accepted.Add(1)
			return
		}
		body := u.body(updateID.Add(1), a)
		for ctx.Err() == nil {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, hook, strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
			resp, err := client.Do(req)
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					accepted.Add(1)
					return
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	// 1. The conversation of each language, recorded without kills by one user each.
	langs := []string{"en", "da", "ro"}
	scripts := map[string]*script{}
	errs := make([]error, len(langs))
	var rec sync.WaitGroup
	var recMu sync.Mutex
	for i, lang := range langs {
		rec.Add(1)
		go func() {
			defer rec.Done()
			s, err := record(api, send, newKillUser(int64(i+1), lang, o.seed), cmp.Or(o.steps, killSteps))
			if err != nil {
				errs[i] = fmt.Errorf("record the %s conversation: %w", lang, err)
				return
			}
			recMu.Lock()
			scripts[lang] = s
			recMu.Unlock()
		}()
	}
	rec.Wait()
	for _, lang := range langs {
		if err := errors.Join(errs...); err != nil {
			return rep, err
		}
		s := scripts[lang]
		rep.Steps = max(rep.Steps, len(s.steps))
		logf("%s conversation: %d steps, %d messages", lang, len(s.steps), len(s.expected))
	}

	// 2. Kill points: after a random number of accepted updates, and a random moment after it.
	users := make([]*user, o.users)
	total := 0
	for i := range users {
		users[i] = newKillUser(1001+int64(i), langs[i%len(langs)], o.seed)
		total += len(scripts[users[i].lang].steps)
	}
	base := accepted.Load()
	rng := rand.New(rand.NewPCG(o.seed, 99))
	points := make([]int64, o.kills)
	for i := range points {
		points[i] = base + 1 + int64(rng.IntN(max(1, total*9/10)))
	}
	slices.Sort(points)
	var killed atomic.Int64
	var killTimes []time.Time // written by the killer only; read after it is done
	killerDone := make(chan error, 1)
	stopKiller := make(chan struct{})
	go func() {
		for _, p := range points {
			for accepted.Load() < p {
				select {
				case <-stopKiller:
					killerDone <- nil
					return
				case <-time.After(2 * time.Millisecond):
				}
			}
			time.Sleep(time.Duration(rng.IntN(250)) * time.Millisecond)
			mu.Lock()
			_ = c.cmd.Process.Kill()
			killTimes = append(killTimes, time.Now())
			<-c.done
			if o.polling {
				// The dead poller's lease would keep the next one waiting for its TTL (30 s); an operator would
				// not wait either. The lease itself is tested in bot/telegram.
				_ = rc.Del(ctx, "mb:lock:telegram:poll").Err()
			}
			next, err := startChild(o.bin, env)
			if err == nil {
				err = next.waitReady(ready)
			}
			c = next
			mu.Unlock()
			if err != nil {
				killerDone <- fmt.Errorf("restart: %w (log: %s)", err, next.log)
				return
			}
			killed.Add(1)
		}
		killerDone <- nil
	}()

	// 3. Every user goes through their conversation.
	logf("%d users, %d updates, %d kills (%s mode)", o.users, total, o.kills, rep.Mode)
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replay(api, send, u, scripts[u.lang], o.stepWait, o.seed)
		}()
	}
	wg.Wait()
	close(stopKiller)
	if err := <-killerDone; err != nil {
		return rep, err
	}
	end := time.Now()
	rep.Updates = accepted.Load() - base
	rep.Kills = int(killed.Load())

	// 4. Replies still owed: wait until every user has every expected message, or settle runs out.
	complete := func() bool {
		for _, u := range users {
			if len(missing(scripts[u.lang].expected, api.received(u.id))) > 0 {
				return false
			}
		}
		return true
	}
	for !complete() && time.Since(end) < o.settle {
		time.Sleep(100 * time.Millisecond)
	}
	// A little longer, so that a repeat sent just after the last expected message is counted too.
	time.Sleep(2 * time.Second)
	rep.Settled = time.Since(end)
	for _, u := range users {
		want, got := scripts[u.lang].expected, api.received(u.id)
		lost, extra := missing(want, got), missing(got, want)
		rep.Expected += len(want)
		rep.Received += len(got)
		rep.Lost += len(lost)
		if *debug && len(lost)+len(extra) > 0 {
			logf("user %d (%s): lost %q; more than expected %q", u.id, u.lang, lost, extra)
		}
		if len(lost) > 0 {
			rep.UsersLost++
		}
		repeated := 0
		for _, m := range extra {
			if len(missing([]string{m}, want)) == 0 {
				repeated++
			} else {
				rep.Unexpected++
			}
		}
		rep.Repeated += repeated
		if repeated > 0 {
			rep.UsersRepeated++
		}
		rep.MaxRepeated = max(rep.MaxRepeated, repeated)
		rep.MaxRepeatedPerKill = max(rep.MaxRepeatedPerKill, repeatsPerKill(want, got, api.arrivals(u.id), killTimes))
	}
	mu.Lock()
	err = c.stop(30 * time.Second)
	mu.Unlock()
	if err != nil {
		logf("stop: %v", err)
	}
	return rep, nil
}

// newKillUser is a guest (no invite code) who speaks lang.
func newKillUser(id int64, lang string, seed uint64) *user {
	u := newUser(id, seed, 0)
	u.lang, u.hint = lang, lang
	return u
}

// killSteps is the length of the conversation: onboarding, then menus, lessons, settings and a few words.
const killSteps = 18

// record runs the conversation of steps for u without kills, waiting for each answer to be complete (no message
// for a second and a half), and keeps what u sent and received.
func record(api *killAPI, send func(*user, action), u *user, steps int) (*script, error) {
	s := &script{}
	for range steps {
		v := api.view(u.id)
		a := u.next(v)
		send(u, a)
		s.steps = append(s.steps, a)
		if !waitMessages(api, u.id, v.seq+1, 10*time.Second) {
			return nil, fmt.Errorf("no answer to step %d (%+v)", len(s.steps), a)
		}
		// The answer may be several messages, paced one a second after a burst.
		for {
			n := len(api.received(u.id))
			if waitMessages(api, u.id, n+1, 1500*time.Millisecond) {
				continue
			}
			break
		}
		s.after = append(s.after, len(api.received(u.id)))
	}
	s.expected = api.received(u.id)
	return s, nil
}

// replay sends s's steps as u, each after the answer to the one before came (or stepWait passed), with a short
// pause a person would take. A press goes to the message holding the keyboard now, as Telegram would send it.
func replay(api *killAPI, send func(*user, action), u *user, s *script, stepWait time.Duration, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, uint64(u.id)))
	for i, a := range s.steps {
		if a.data != "" {
			if v := api.view(u.id); v.kbMsg != 0 {
				a.msg = v.kbMsg
			} else {
				a.msg = 1 << 30 // the question never came: a message the bot cannot edit
			}
		}
		send(u, a)
		waitMessages(api, u.id, s.after[i], stepWait)
		time.Sleep(time.Duration(50+rng.IntN(250)) * time.Millisecond)
	}
}

// waitMessages waits until chat has received n messages, at most timeout; it reports whether they came.
func waitMessages(api *killAPI, chat int64, n int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		v := api.view(chat)
		if v.seq >= n {
			return true
		}
		d := time.Until(deadline)
		if d <= 0 {
			return false
		}
		select {
		case <-v.changed:
		case <-time.After(d):
		}
	}
}

// missing returns the messages of want that got lacks, as multisets (order does not matter: a reply sent again
// later is still the reply).
// Link and invite codes are random, so they are compared as "CODE".
func missing(want, got []string) []string {
	have := map[string]int{}
	for _, m := range got {
		have[codeRE.ReplaceAllString(m, "CODE")]++
	}
	var out []string
	for _, m := range want {
		if k := codeRE.ReplaceAllString(m, "CODE"); have[k] > 0 {
			have[k]--
			continue
		}
		out = append(out, m)
	}
	return out
}

// repeatsPerKill attributes each message got more often than want to the first kill after the copy before it came
// (that copy was sent, its acknowledgement lost to the kill) and returns the most attributed to one kill.
func repeatsPerKill(want, got []string, at, kills []time.Time) int {
	need := map[string]int{}
	for _, m := range want {
		need[codeRE.ReplaceAllString(m, "CODE")]++
	}
	seen := map[string]int{}
	last := map[string]time.Time{}
	per := map[int]int{}
	most := 0
	for i, m := range got {
		k := codeRE.ReplaceAllString(m, "CODE")
		seen[k]++
		if seen[k] > need[k] && need[k] > 0 {
			kill := sort.Search(len(kills), func(j int) bool { return kills[j].After(last[k]) })
			per[kill]++
			most = max(most, per[kill])
		}
		last[k] = at[i]
	}
	return most
}
