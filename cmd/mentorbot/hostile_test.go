package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/m4pris/mentorbot/bot/redis/redistest"
	"github.com/m4pris/mentorbot/bot/slack"
	"github.com/m4pris/mentorbot/bot/slack/slackfake"
	"github.com/m4pris/mentorbot/bot/telegram"
	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
	"github.com/m4pris/mentorbot/flows"
)

// TestHostileInput sends one serve process (Telegram webhook and Slack HTTP endpoints on one mux) what an attacker
// or a confused client would: every row is refused and nothing is processed. Requests refused at the door are
// checked against the engine's update counter and the Redis keyspace; requests that reach the engine (forged
// buttons, coordinator commands from a mentee, invite-code guessing) get a kind reply and leave the person's
// profile and conversation as they were.
func TestHostileInput(t *testing.T) {
	redistest.Open(t, redistest.DBSpare2) // flushed
	api := telegramtest.New(t)
	fake := slackfake.New(t)
	const (
		tgSecret    = "hostile-Secret_1"
		slackSecret = "hostile-slack-secret"
	)
	coordUser := telegramtest.User{ID: 730000001, FirstName: "Coco", Lang: "en"}
	vars := telegramEnv(redistest.URL(t, redistest.DBSpare2), api, tgSecret)
	for k, v := range map[string]string{
		"MENTORBOT_ADMINS":     "telegram:" + strconv.FormatInt(coordUser.ID, 10),
		"SLACK_BOT_TOKEN":      "xoxb-test",
		"SLACK_SIGNING_SECRET": slackSecret,
		"SLACK_API_URL":        fake.APIURL(),
		"SLACK_MIN_INTERVAL":   "0",
		// One person sends more than 30 updates a minute here; the inbound limit has its own tests (flows).
		"MENTORBOT_RATE_PER_MINUTE": "1000",
	} {
		vars[k] = v
	}
	// Short HTTP time limits, so that the slow rows are cut within a second or so.
	s := startServe(t, vars, shortHTTP)
	ctx := context.Background()

	// keyspace is every key mentorbot wrote, but for the schedulers' tick locks and the bot's send schedule, which
	// come and go on their own.
	sendSchedule := "mb:rate:{telegram:" + botID(telegramtest.Token) + "}"
	keyspace := func() []string {
		t.Helper()
		keys, err := s.Conn.Client.Keys(ctx, "mb:*").Result()
		if err != nil {
			t.Fatal(err)
		}
		keys = slices.DeleteFunc(keys, func(k string) bool {
			return strings.HasPrefix(k, "mb:lock:") || strings.HasPrefix(k, sendSchedule)
		})
		slices.Sort(keys)
		return keys
	}
	do := func(req *http.Request) int {
		t.Helper()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	// Part 1: refused at the door. Telegram's stranger and Slack's use the same ids in every row, so the canaries
	// at the end (valid requests from them) would show anything a refused request left behind.
	eve := telegramtest.User{ID: 730000009, FirstName: "Eve", Lang: "en"}
	const slackEve = "UHOSTILE9"
	tgPost := func(secret string, body []byte) func() *http.Request {
		return func() *http.Request {
			req, _ := http.NewRequest(http.MethodPost, s.Hook, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if secret != "" {
				req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
			}
			return req
		}
	}
	slackPost := func(secret, path string, body []byte, at time.Time) func() *http.Request {
		return func() *http.Request {
			return slackfake.SignedRequest(t, secret, s.Base+path, "application/json", body, at)
		}
	}
	start := mustJSON(t, telegramtest.Message(101, eve, "/start"))
	hugeTG := mustJSON(t, telegramtest.Message(102, eve, strings.Repeat("x", 2<<20)))
	slackHi := slackfake.DirectMessage("EvHostile1", slackEve, "hello")
	hugeSlack := slackfake.DirectMessage("EvHostile2", slackEve, strings.Repeat("x", 2<<20))
	hookPath := strings.TrimPrefix(s.Hook, s.Base)
	slowHead := func(path, extra string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n" + extra
	}
	refused := []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"telegram: wrong secret", tgPost("hostile-Secret_2", start), http.StatusUnauthorized},
		{"telegram: missing secret", tgPost("", start), http.StatusUnauthorized},
		{"telegram: 2 MiB body", tgPost(tgSecret, hugeTG), http.StatusRequestEntityTooLarge},
		{"telegram: malformed JSON", tgPost(tgSecret, []byte(`{"update_id": 103, "message": {`)), http.StatusBadRequest},
		{"telegram: no update_id", tgPost(tgSecret, []byte(`{"message":{"text":"/start"}}`)), http.StatusBadRequest},
		{"slack: 2 MiB body", slackPost(slackSecret, slack.PathEvents, hugeSlack, time.Now()), http.StatusRequestEntityTooLarge},
		{"slack: malformed JSON", slackPost(slackSecret, slack.PathEvents, []byte(`{"type": "event_callback", "event": {`), time.Now()), http.StatusBadRequest},
		{"slack: forged signature", slackPost("not-the-secret", slack.PathEvents, slackfake.DirectMessage("EvHostile3", slackEve, "/forget"), time.Now()), http.StatusUnauthorized},
		{"slack: stale timestamp", slackPost(slackSecret, slack.PathEvents, slackfake.DirectMessage("EvHostile4", slackEve, "hello"), time.Now().Add(-6*time.Minute)), http.StatusUnauthorized},
		{"slack: forged slash command", func() *http.Request {
			form := fake.SlashCommand(slackEve, slackfake.DM(slackEve), "/mentor", "invite coordinator 20")
			return slackfake.SignedRequest(t, "not-the-secret", s.Base+slack.PathCommands, "application/x-www-form-urlencoded", []byte(form.Encode()), time.Now())
		}, http.StatusUnauthorized},
	}
	// Slow rows send the request themselves (on their own connection) and return the status.
	slowRows := []struct {
		name string
		send func() int
		want int
	}{
		// A body trickled one byte at a time after fast headers is cut at the body deadline (shortHTTP: 1 s;
		// 5 s in production), with or without the secret; before, it held the connection for as long as it lasted.
		{"telegram: slow body, right secret", func() int {
			return slowRequest(t, s.Base, slowHead(hookPath, "X-Telegram-Bot-Api-Secret-Token: "+tgSecret+"\r\n"))
		}, http.StatusRequestTimeout},
		{"telegram: slow body, no secret", func() int { return slowRequest(t, s.Base, slowHead(hookPath, "")) }, http.StatusRequestTimeout},
		{"slack: slow body", func() int {
			return slowRequest(t, s.Base, slowHead(slack.PathEvents, fmt.Sprintf("X-Slack-Request-Timestamp: %d\r\nX-Slack-Signature: v0=00\r\n", time.Now().Unix())))
		}, http.StatusRequestTimeout},
		// Many connections: 300 slow clients at once (slow headers, slow bodies with and without the secret, slow
		// Slack bodies, idle keep-alive). /healthz is answered while they are open (the row's status), and the
		// server closes every one of them (TestSlowClients also delivers valid updates during the attack).
		{"many connections: 300 slow clients", func() int {
			a := startSlowAttack(t, strings.TrimPrefix(s.Base, "http://"), hookPath, tgSecret, 60, 300*time.Millisecond)
			defer a.stop()
			_, code := timeGET(s.Base + "/healthz")
			if !a.wait(30 * time.Second) {
				t.Errorf("many connections: %d of 300 still open after 30 s", a.open())
			}
			return code
		}, http.StatusOK},
	}
	check := func(name string, send func() int, want int) {
		t.Helper()
		updates, keys := updatesTotal(s.Main, "", ""), keyspace()
		if got := send(); got != want {
			t.Errorf("%s: status %d, want %d", name, got, want)
		}
		if got := updatesTotal(s.Main, "", ""); got != updates {
			t.Errorf("%s: the engine handled %d updates", name, got-updates)
		}
		if got := keyspace(); !slices.Equal(got, keys) {
			t.Errorf("%s: the keyspace changed: %v → %v", name, keys, got)
		}
	}
	for _, row := range refused {
		check(row.name, func() int { return do(row.req()) }, row.want)
	}
	for _, row := range slowRows {
		check(row.name, row.send, row.want)
	}
	// Canaries. The very update refused above, now with the right secret, is handled as new (the refusals did not
	// mark it seen) and answered once.
	if got := do(tgPost(tgSecret, start)()); got != http.StatusOK {
		t.Fatalf("telegram canary: %d", got)
	}
	api.Wait(t, 5*time.Second, "the canary's language question", func() bool { return len(api.Messages(eve.ID)) >= 1 })
	// Slack answers 200 at once and works after, one user at a time in order: had a refused event of this user been
	// accepted, it would have been handled before the canary.
	if got := do(slackPost(slackSecret, slack.PathEvents, slackHi, time.Now())()); got != http.StatusOK {
		t.Fatalf("slack canary: %d", got)
	}
	fake.Wait(t, "the Slack canary's answer", func() bool { return len(fake.Messages(slackfake.DM(slackEve))) >= 1 })
	time.Sleep(300 * time.Millisecond) // room for anything else to arrive
	if msgs := api.Messages(eve.ID); len(msgs) != 1 || !strings.Contains(msgs[0].Plain, "Choose your language") {
		t.Errorf("telegram: %d messages after the refused requests and the canary, want the language question once", len(msgs))
	}
	if msgs := fake.Messages(slackfake.DM(slackEve)); len(msgs) != 1 {
		t.Errorf("slack: %d messages after the refused requests and the canary, want 1", len(msgs))
	}
	for _, c := range []struct{ platform, outcome string }{{"telegram", "ok"}, {"slack", "ok"}} {
		if got := updatesTotal(s.Main, c.platform, c.outcome); got != 1 {
			t.Errorf("%s updates %s: %d, want 1 (the canary only)", c.platform, c.outcome, got)
		}
	}
	if got := updatesTotal(s.Main, "", "duplicate"); got != 0 {
		t.Errorf("%d duplicates: a refused request was marked handled", got)
	}

	// Part 2: in band. A coordinator makes two mentee codes; Mona joins with one; Gus guesses.
	hook := telegramtest.ViaWebhook(s.Hook, tgSecret)
	coord := api.Person(coordUser, hook)
	onboardAsGuest(t, coord)
	coord.Say(t, "/invite mentee 2")
	codes := regexp.MustCompile(`[0-9A-Z]{5}-[0-9A-Z]{5}`).FindAllString(coord.Expect(t, "invite codes for a mentee").Plain, -1)
	if len(codes) != 2 {
		t.Fatalf("invite codes: %v", codes)
	}
	monaUser := telegramtest.User{ID: 730000002, FirstName: "Mona", Lang: "en"}
	mona := api.Person(monaUser, hook)
	onboardTelegram(t, mona, codes[0], "22:00–07:00")

	// send posts one update from u and waits for the number of replies it should bring, and returns them.
	send := func(u telegramtest.User, up telegramtest.Update, replies int) []telegramtest.Call {
		t.Helper()
		before := len(api.Messages(u.ID))
		if code := telegramtest.Post(t, s.Hook, tgSecret, up); code != http.StatusOK {
			t.Fatalf("webhook answered %d", code)
		}
		if replies == 0 {
			return nil
		}
		api.Wait(t, 5*time.Second, fmt.Sprintf("%d replies to %s", replies, u.FirstName), func() bool { return len(api.Messages(u.ID)) >= before+replies })
		got := api.Messages(u.ID)[before:]
		if len(got) != replies {
			t.Errorf("%d replies to %s, want %d", len(got), u.FirstName, replies)
		}
		return got
	}
	snapshot := func(u telegramtest.User, ignore ...string) string {
		t.Helper()
		return stateOf(t, s.Main, telegram.Identity(u.ID), ignore...)
	}
	invites := func() int {
		keys, err := s.Conn.Client.Keys(ctx, "mb:invite:*").Result()
		if err != nil {
			t.Fatal(err)
		}
		return len(keys)
	}
	if n := invites(); n != 1 {
		t.Fatalf("%d invites stored, want the unused one", n)
	}

	// Coordinator commands from a mentee: refused, nothing made or changed, nobody else told.
	for _, cmd := range []string{"/invite mentee 5", "/invite", "/pair", "/wellbeing", "/group", "/lessonreport"} {
		before, coordMsgs := snapshot(monaUser), len(api.Messages(coordUser.ID))
		got := send(monaUser, telegramtest.Message(api.NextUpdateID(), monaUser, cmd), 1)
		if !strings.Contains(got[0].Plain, "only for coordinators") {
			t.Errorf("mentee %s: replied %q, want the kind refusal", cmd, got[0].Plain)
		}
		if after := snapshot(monaUser); after != before {
			t.Errorf("mentee %s changed the state:\n%s\n→\n%s", cmd, before, after)
		}
		if n := invites(); n != 1 {
			t.Errorf("mentee %s: %d invites stored", cmd, n)
		}
		if n := len(api.Messages(coordUser.ID)); n != coordMsgs {
			t.Errorf("mentee %s: the coordinator got a message", cmd)
		}
	}

	// Forged buttons. Mona opens /settings (a prompt with buttons); the coordinator has the invite role question
	// open. Every forgery gets "no longer open" (a coordinator command: "only for coordinators") and changes
	// nothing; the real button still works afterwards.
	send(monaUser, telegramtest.Message(api.NextUpdateID(), monaUser, "/settings"), 1)
	monaMsg, done := buttonData(t, api, monaUser.ID, "Done")
	seq, _, _ := strings.Cut(strings.TrimPrefix(done, "s"), ":")
	n, err := strconv.Atoi(seq)
	if err != nil {
		t.Fatalf("unexpected payload %q", done)
	}
	coord.Say(t, "/invite")
	coord.Expect(t, "Which role")
	coordMsg, coordData := buttonData(t, api, coordUser.ID, "Coordinator")
	const stale, notAllowed = "no longer open", "only for coordinators"
	// A stale or forged press is told so and shown the open question again (two messages), changing nothing.
	const reshown = "What would you like to change?"
	forged := []struct{ name, data, want string }{
		{"a value the prompt did not offer", fmt.Sprintf("s%d:coordinator", n), stale},
		{"an older prompt's sequence", fmt.Sprintf("s%d:done", n-1), stale},
		{"a later sequence", fmt.Sprintf("s%d:done", n+1), stale},
		{"another user's button", coordData, stale},
		{"a malformed payload", "s:x", stale},
		{"an unknown kind", "x1:done", stale},
		{"an oversized payload", "s" + strconv.Itoa(n) + ":" + strings.Repeat("d", 80), stale},
		{"a coordinator command as a button", "g:invite coordinator 20", notAllowed},
		{"an internal job as a button", "g:checkin.prompt x 2026-01-05", stale},
	}
	for _, f := range forged {
		before := snapshot(monaUser)
		replies := 1
		if f.want == stale {
			replies = 2
		}
		got := send(monaUser, telegramtest.Callback(api.NextUpdateID(), monaUser, monaMsg, f.data), replies)
		if !strings.Contains(got[0].Plain, f.want) {
			t.Errorf("forged button (%s): replied %q, want %q", f.name, got[0].Plain, f.want)
		}
		if replies == 2 && (len(got) < 2 || !strings.Contains(got[1].Plain, reshown)) {
			t.Errorf("forged button (%s): the open question was not shown again", f.name)
		}
		if after := snapshot(monaUser); after != before {
			t.Errorf("forged button (%s) changed the state:\n%s\n→\n%s", f.name, before, after)
		}
		if n := invites(); n != 1 {
			t.Errorf("forged button (%s): %d invites stored", f.name, n)
		}
	}
	// A press on a message in someone else's chat (Mona's own valid data, under the coordinator's message) is not
	// Mona's to make: the button stops spinning, nothing is handled, nobody gets a message.
	{
		before, updates := snapshot(monaUser), updatesTotal(s.Main, "", "")
		monaMsgs, coordMsgs := len(api.Messages(monaUser.ID)), len(api.Messages(coordUser.ID))
		up := telegramtest.Callback(api.NextUpdateID(), monaUser, coordMsg, done)
		up["callback_query"].(map[string]any)["message"].(map[string]any)["chat"] = map[string]any{"id": coordUser.ID, "type": "private"}
		send(monaUser, up, 0)
		id := "cb" + strconv.FormatInt(up["update_id"].(int64), 10)
		api.Wait(t, 5*time.Second, "the cross-chat press answered", func() bool {
			return slices.ContainsFunc(api.Calls(), func(c telegramtest.Call) bool { return c.Method == "answerCallbackQuery" && c.Callback == id })
		})
		if got := updatesTotal(s.Main, "", ""); got != updates {
			t.Errorf("cross-chat press: the engine handled %d updates", got-updates)
		}
		if len(api.Messages(monaUser.ID)) != monaMsgs || len(api.Messages(coordUser.ID)) != coordMsgs {
			t.Errorf("cross-chat press: a message was sent")
		}
		if after := snapshot(monaUser); after != before {
			t.Errorf("cross-chat press changed the state:\n%s\n→\n%s", before, after)
		}
	}
	// The real button of the open prompt still works: nothing above moved the conversation on.
	if got := send(monaUser, telegramtest.Callback(api.NextUpdateID(), monaUser, monaMsg, done), 1); strings.Contains(got[0].Plain, "no longer open") {
		t.Errorf("the real button was refused: %q", got[0].Plain)
	}
	if st := snapshot(monaUser); strings.Contains(st, `"flow":"settings"`) {
		t.Errorf("settings still open after Done: %s", st)
	}

	// Invite-code guessing: five wrong codes lock code entry; the right code during the lock is refused too and
	// stays unused.
	gusUser := telegramtest.User{ID: 730000003, FirstName: "Gus", Lang: "en"}
	gus := api.Person(gusUser, hook)
	gus.Say(t, "/start")
	gus.Press(t, "English")
	gus.Press(t, "Sounds good")
	gus.Press(t, "Yes, keep them")
	gus.Press(t, "Yes, you may offer")
	gus.Press(t, "I have a code")
	gus.Expect(t, "Type your invite code")
	var guesses []string
	for i := 1; i <= flows.InviteMaxFails+1; i++ {
		code, want := flows.NewInviteCode(), "doesn't work"
		switch {
		case i == flows.InviteMaxFails:
			want = "Too many wrong codes"
		case i > flows.InviteMaxFails:
			code, want = codes[1], "Too many wrong codes" // the right code, during the lock
		}
		guesses = append(guesses, code)
		// Each refusal asks again (a new prompt number); the fail count and the lock are what is meant to change.
		before := snapshot(gusUser, "invite_fails", "invite_lock", "state.seq")
		got := send(gusUser, telegramtest.Message(api.NextUpdateID(), gusUser, code), 2) // the reason, the question again
		if !strings.Contains(got[0].Plain, want) || !strings.Contains(got[1].Plain, "Type your invite code") {
			t.Errorf("code %d: replied %q, %q; want %q and the question again", i, got[0].Plain, got[1].Plain, want)
		}
		after := snapshot(gusUser, "invite_fails", "invite_lock", "state.seq")
		if after != before {
			t.Errorf("code %d changed the state:\n%s\n→\n%s", i, before, after)
		}
	}
	if n := invites(); n != 1 {
		t.Errorf("%d invites stored after the guessing, want the right code still unused", n)
	}
	snap, err := s.Store.Load(ctx, flows.ProfileID(telegram.Identity(gusUser.ID)), "")
	if err != nil {
		t.Fatal(err)
	}
	if p := snap.Profile; p.Member() || p.Onboarded || !p.InviteLock.After(time.Now().Add(50*time.Minute)) || snap.State.Step != "code" {
		t.Errorf("after the guessing: roles %v onboarded %v lock %v step %q", p.Roles, p.Onboarded, p.InviteLock, snap.State.Step)
	}

	// Nothing above put a platform id, an invite code or a secret in the log.
	logs := s.Logs.String()
	secrets := append([]string{tgSecret, slackSecret, slackEve, "Mona", "Gus"}, append(codes, guesses...)...)
	for _, u := range []telegramtest.User{coordUser, monaUser, gusUser, eve} {
		secrets = append(secrets, strconv.FormatInt(u.ID, 10))
	}
	for _, sec := range secrets {
		if strings.Contains(logs, sec) {
			t.Errorf("the log contains %q", sec)
		}
	}
}

// buttonData finds the button labelled label on the newest message to chat that shows a keyboard.
func buttonData(t *testing.T, api *telegramtest.Server, chat int64, label string) (msg int, data string) {
	t.Helper()
	msgs := api.Messages(chat)
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, row := range api.Keyboard(msgs[i].MessageID) {
			for _, b := range row {
				if strings.Contains(strings.ToLower(b.Text), strings.ToLower(label)) {
					return msgs[i].MessageID, b.Data
				}
			}
		}
	}
	t.Fatalf("no button %q for %d", label, chat)
	return 0, ""
}

// stateOf is the stored profile and conversation of id as JSON, without what every update changes (when the
// person was last seen, this minute's update count) and without the fields named in ignore: JSON names of the
// profile, or "state." and a JSON name of the conversation.
func stateOf(t *testing.T, m *Main, id flows.Identity, ignore ...string) string {
	t.Helper()
	snap, err := m.Store.Load(context.Background(), flows.ProfileID(id), "")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Profile == nil {
		t.Fatalf("no profile for %s", id.Platform)
	}
	var p map[string]any
	b, _ := json.Marshal(snap.Profile)
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	b, _ = json.Marshal(snap.State)
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	for _, k := range append([]string{"seen", "rate"}, ignore...) {
		if k, ok := strings.CutPrefix(k, "state."); ok {
			delete(st, k)
			continue
		}
		delete(p, k)
	}
	out, _ := json.Marshal(map[string]any{"profile": p, "state": st})
	return string(out)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
