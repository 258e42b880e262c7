package console_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/console"
	"github.com/m4pris/mentorbot/bot/redis"
	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/programme"
)

// chat runs the local chat over input and returns everything it printed.
func chat(t *testing.T, input string, admins ...flows.Identity) string {
	t.Helper()
	conn := redistest.Open(t, redistest.DBConsole)
	store := redis.NewStore(conn.Client)
	q := &console.Queue{Log: slog.Default()}
	e := flows.New(flows.Options{Store: store, Clock: flows.ClockFunc(time.Now), Content: content.MustDefault(), Queue: q, Admins: admins})
	q.Engine = e
	programme.Register(e, programme.Deps{Directory: store, Invites: store})
	var out bytes.Buffer
	c := console.New(e, strings.NewReader(input), &out, "mette", "da")
	e.SetSender(flows.Console, c)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestOnboardingByNumbersInDanish(t *testing.T) {
	out := chat(t, "/start\n2\n1\n1\n2\n2\n1\n1\n/privacy\n/quit\nnot read\n")
	for _, want := range []string{
		"[1] English   [2] Dansk   [3] Română",
		"ikke Kriminalforsorgen",
		"Så er du klar, mette!",
		"Rolle: gæst",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "not read") {
		t.Error("lines after /quit were handled")
	}
}

func TestSwitchUsersAndInvite(t *testing.T) {
	in := strings.Join([]string{
		"/start", "1", "1", "2", "2", "2", "1", "1", // coordinator onboards as guest (admins make them coordinator)
		"/invite mentor",
		"/as", // usage
		"/as anna",
		"/start", "1", "1", "2", "2", "1", "WRONG-CODE1",
		"/quit",
	}, "\n")
	out := chat(t, in, flows.Identity{Platform: flows.Console, ID: "mette"})
	for _, want := range []string{
		"Here is 1 invite code for a mentor",
		"usage: /as NAME",
		`(you are now "anna")`,
		"anna › ",
		"That code doesn't work",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
