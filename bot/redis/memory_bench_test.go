package redis_test

import (
	"context"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

// BenchmarkUserMemory measures Redis memory per user: b.N users (six in ten with an invite code, as mentees; the
// rest guests) onboard and then use the bot for a simulated week, a few updates a day each (menus, lessons,
// check-ins for members, settings, privacy, a few typed words; buttons pressed at random), with the planned tasks
// the flows make delivered when due. It runs on a redis-server of its own, so that used_memory counts nothing
// else; the planned tasks stay in memory here (their size in asynq is measured in bot/nudge). Reported: bytes of
// used_memory per user, and the size of one user's document.
//
//	go test ./bot/redis -run '^$' -bench UserMemory -benchtime 10000x -timeout 60m
func BenchmarkUserMemory(b *testing.B) {
	srv := redistest.StartServer(b)
	c := goredis.NewClient(&goredis.Options{Addr: srv.Addr()})
	b.Cleanup(func() { c.Close() })
	ctx := context.Background()
	store := redis.NewStore(c)
	h := flowtest.NewHarness(b, store, setup, "coord")
	onboard(h, "coord", "")
	var codes []string
	for len(codes) < b.N*6/10+20 {
		codes = append(codes, codeRE.FindAllString(flowtest.Text(h.Say("coord", "/invite mentee 20")), -1)...)
	}
	used := func() int64 {
		info := c.Info(ctx, "memory").Val()
		for _, line := range strings.Split(info, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				return n
			}
		}
		b.Fatal("no used_memory in INFO")
		return 0
	}
	// The invite codes are the coordinator's and expire; they are not the users' memory.
	before := used() - int64(len(codes))*c.MemoryUsage(ctx, firstKey(b, c, "mb:invite:*")).Val()
	b.ResetTimer()
	users := make([]*walker, b.N)
	for i := range users {
		w := &walker{h: h, name: "u" + strconv.Itoa(i), rng: rand.New(rand.NewPCG(1, uint64(i)))}
		if w.rng.IntN(10) < 6 {
			w.code, codes = codes[0], codes[1:]
		}
		onboard(h, w.name, w.code)
		users[i] = w
	}
	for range 7 {
		h.Clock.Advance(24 * time.Hour)
		h.RunDue()
		for _, w := range users {
			for range 2 + w.rng.IntN(5) {
				w.step()
			}
		}
	}
	h.Clock.Advance(time.Hour)
	h.RunDue()
	b.StopTimer()
	// Codes not used are still there; the users' own keys and their index entries are what is left.
	left, _ := c.Keys(ctx, "mb:invite:*").Result()
	perCode := int64(0)
	if len(left) > 0 {
		perCode = c.MemoryUsage(ctx, left[0]).Val()
	}
	after := used() - int64(len(left))*perCode
	b.ReportMetric(float64(after-before)/float64(b.N), "B/user")
	b.ReportMetric(float64(c.MemoryUsage(ctx, "mb:{"+flows.ProfileID(flowtest.Identity(users[0].name))+"}:u").Val()), "B/doc")
	if testing.Verbose() {
		for _, w := range users[:min(3, len(users))] {
			k := "mb:{" + flows.ProfileID(flowtest.Identity(w.name)) + "}:u"
			b.Logf("%s (%d B): %q", k, c.MemoryUsage(ctx, k).Val(), c.Get(ctx, k).Val())
		}
		keys, _ := c.Keys(ctx, "*").Result()
		byKind := map[string]int64{}
		for _, k := range keys {
			kind := k
			if i, j := strings.IndexByte(k, '{'), strings.IndexByte(k, '}'); i > 0 && j > i {
				kind = k[:i] + "{…}" + k[j+1:]
			} else if strings.HasPrefix(k, "mb:invite:") || strings.HasPrefix(k, "mb:lessons:") || strings.HasPrefix(k, "mb:tally:") {
				kind = k[:strings.LastIndexByte(k, ':')] + ":…"
			}
			byKind[kind] += c.MemoryUsage(ctx, k).Val()
		}
		b.Logf("memory by key kind: %v", byKind)
	}
	if n, _ := c.Keys(ctx, "mb:{*}:out").Result(); len(n) > 0 {
		b.Errorf("%d outboxes left: every reply of a task was acknowledged", len(n))
	}
}

var codeRE = regexp.MustCompile(`[0-9A-Z]{5}-[0-9A-Z]{5}`)

func firstKey(b *testing.B, c *goredis.Client, pattern string) string {
	keys, err := c.Keys(context.Background(), pattern).Result()
	if err != nil || len(keys) == 0 {
		b.Fatalf("no key %s: %v", pattern, err)
	}
	return keys[0]
}

// onboard takes user through onboarding in English, as a mentee with code or as a guest.
func onboard(h *flowtest.Harness, user, code string) {
	h.Say(user, "/start")
	h.Press(user, "English")
	h.Press(user, "Sounds good")
	h.Press(user, "Yes, keep them")
	h.Press(user, "Yes, you may offer")
	if code != "" {
		h.Press(user, "I have a code")
		h.Say(user, code)
	} else {
		h.Press(user, "Continue as guest")
	}
	h.Press(user, "Denmark")
	h.Press(user, "22:00–07:00")
}

// walker is a simulated user after onboarding: mostly presses one of the buttons the bot sent last, otherwise
// sends a command or a few words.
type walker struct {
	h       *flowtest.Harness
	name    string
	code    string
	rng     *rand.Rand
	buttons []flows.Button
}

func (w *walker) step() {
	var replies []flows.Reply
	if len(w.buttons) > 0 && w.rng.IntN(100) < 80 {
		b := w.buttons[w.rng.IntN(len(w.buttons))]
		replies = w.h.Send(w.name, flows.Event{Payload: b.Data})
	} else {
		replies = w.h.Say(w.name, w.command())
	}
	w.buttons = w.buttons[:0]
	for _, r := range replies {
		for _, row := range r.Buttons {
			for _, b := range row {
				if !avoided(b.Data) {
					w.buttons = append(w.buttons, b)
				}
			}
		}
	}
}

// avoided are buttons a simulated user never presses: erasing or exporting everything, linking accounts, and the
// choices that ask for typed input the simulation does not give.
func avoided(data string) bool {
	for _, s := range []string{"g:forget", "g:export", "g:link", ":other", ":own"} {
		if strings.Contains(data, s) {
			return true
		}
	}
	return false
}

func (w *walker) command() string {
	switch r := w.rng.IntN(100); {
	case r < 25:
		return "/menu"
	case r < 35:
		return "/help"
	case r < 60 && w.code != "":
		return "/checkin pulse"
	case r < 75:
		return "/lessons"
	case r < 82:
		return "/settings"
	case r < 87:
		return "/privacy"
	}
	return []string{"thanks", "ok", "long shift today, tired", "what can you do?"}[w.rng.IntN(4)]
}
