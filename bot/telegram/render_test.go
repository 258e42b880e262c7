package telegram

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/m4pris/mentorbot/bot/telegram/telegramtest"
	"github.com/m4pris/mentorbot/flows"
)

func TestEscapeHTML(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                 "plain",
		"<b>bold</b>":           "&lt;b&gt;bold&lt;/b&gt;",
		"Tom & Jerry":           "Tom &amp; Jerry",
		"&amp;":                 "&amp;amp;",
		`"quotes" and 'single'`: `"quotes" and 'single'`,
		"æøå ș ț 🙂":             "æøå ș ț 🙂",
	} {
		if got := EscapeHTML(in); got != want {
			t.Errorf("EscapeHTML(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitText(t *testing.T) {
	cases := []struct {
		name string
		in   string
		max  int
		want []string
	}{
		{"fits", "one\n\ntwo", 20, []string{"one\n\ntwo"}},
		{"paragraphs", "aaaa\n\nbbbb\n\ncccc", 10, []string{"aaaa\n\nbbbb", "cccc"}},
		{"lines", "aaaa\nbbbb\ncccc", 10, []string{"aaaa\nbbbb", "cccc"}},
		{"words", "aaa bbb ccc ddd", 8, []string{"aaa bbb", "ccc ddd"}},
		{"hard", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		// An emoji outside the BMP counts two units, as Telegram counts.
		{"utf16", "🙂🙂🙂", 4, []string{"🙂🙂", "🙂"}},
		{"blank", " \n\n ", 10, nil},
	}
	for _, c := range cases {
		if diff := cmp.Diff(c.want, SplitText(c.in, c.max)); diff != "" {
			t.Errorf("%s: (-want +got)\n%s", c.name, diff)
		}
	}
}

func TestKeyboardJSON(t *testing.T) {
	kb, dropped := renderKeyboard([][]flows.Button{{{Label: "Yes", Data: "c1:yes"}}, {{Label: " ", Data: "x"}}})
	if dropped != 1 {
		t.Errorf("dropped %d, want the blank label", dropped)
	}
	b, _ := json.Marshal(kb)
	// Only text and callback_data: an empty copy_text would be refused.
	if want := `{"inline_keyboard":[[{"text":"Yes","callback_data":"c1:yes"}]]}`; string(b) != want {
		t.Errorf("keyboard JSON %s, want %s", b, want)
	}
	if kb, _ := renderKeyboard(nil); kb != nil {
		t.Errorf("no rows gave a keyboard %+v", kb)
	}
}

func TestConvert(t *testing.T) {
	anna := telegramtest.User{ID: 5, FirstName: "Anna", Lang: "da-DK"}
	decode := func(u telegramtest.Update) inbound {
		t.Helper()
		b, _ := json.Marshal(u)
		upd, err := DecodeUpdate(b)
		if err != nil {
			t.Fatal(err)
		}
		return convert(upd)
	}
	in := decode(telegramtest.Message(10, anna, "/start@mentorbot_test_bot AB12C-DE34F"))
	want := flows.Event{ID: "tg:10", From: Identity(5), LangHint: "da-DK", Name: "Anna", Command: "start", Args: "AB12C-DE34F"}
	if diff := cmp.Diff(want, in.ev); diff != "" || in.kind != kindMessage || in.chat != 5 {
		t.Errorf("command (-want +got)\n%s kind %s chat %d", diff, in.kind, in.chat)
	}
	in = decode(telegramtest.Callback(11, anna, 99, "c3:yes"))
	if in.kind != kindCallback || in.ev.Payload != "c3:yes" || in.pressed != 99 || in.callback != "cb11" || in.ev.ID != "tg:11" {
		t.Errorf("callback: %+v", in)
	}
	photo := telegramtest.Message(12, anna, "")
	delete(photo["message"].(map[string]any), "text")
	if in = decode(photo); in.kind != kindUnsupported {
		t.Errorf("a message without text: %s", in.kind)
	}
	photo["message"].(map[string]any)["caption"] = "look"
	if in = decode(photo); in.kind != kindMessage || in.ev.Text != "look" {
		t.Errorf("a caption: %+v", in)
	}
	// A callback from someone else's chat (forwarded message) is answered but not handled.
	other := telegramtest.Callback(13, anna, 1, "c1:x")
	other["callback_query"].(map[string]any)["message"].(map[string]any)["chat"] = map[string]any{"id": 6, "type": "private"}
	if in = decode(other); in.kind != kindIgnored || in.callback == "" {
		t.Errorf("foreign callback: %+v", in)
	}
	for _, bad := range []string{``, `[]`, `{}`, `{"update_id":0}`, `{"update_id":"x"}`} {
		if _, err := DecodeUpdate([]byte(bad)); err == nil {
			t.Errorf("DecodeUpdate(%q) accepted", bad)
		}
	}
}

// FuzzDecodeUpdate: no body crashes the decoder, and what it accepts converts to an event the engine can take.
func FuzzDecodeUpdate(f *testing.F) {
	for _, u := range []telegramtest.Update{
		telegramtest.Message(1, telegramtest.User{ID: 1, FirstName: "A"}, "/start x"),
		telegramtest.Callback(2, telegramtest.User{ID: 2, FirstName: "B", Lang: "ro"}, 3, "g:menu"),
	} {
		b, _ := json.Marshal(u)
		f.Add(b)
	}
	f.Add([]byte(`{"update_id":5,"callback_query":{"id":"q","from":{"id":1},"message":{"chat":{"id":1},"message_id":2,"date":0}}}`))
	f.Add([]byte(`{"update_id":1,"message":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		u, err := DecodeUpdate(body)
		if err != nil {
			return
		}
		in := convert(u)
		switch in.kind {
		case kindMessage, kindCallback, kindUnsupported:
			if in.chat <= 0 || in.ev.From != Identity(in.chat) || !strings.HasPrefix(in.ev.ID, "tg:") {
				t.Fatalf("handled update with chat %d, from %v, id %q", in.chat, in.ev.From, in.ev.ID)
			}
		case kindIgnored:
		default:
			t.Fatalf("unknown kind %q", in.kind)
		}
	})
}

// FuzzRenderText: any text becomes pieces Telegram accepts (valid HTML, within the limit) that say the same thing.
func FuzzRenderText(f *testing.F) {
	for _, s := range []string{"", "a & b < c > d", "para\n\npara", strings.Repeat("🙂 x", 3000), "&lt;", "<b>x</b>"} {
		f.Add(s, 50)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if !utf8.ValidString(s) {
			return // Telegram refuses invalid UTF-8 before any parsing; the engine only produces valid text
		}
		max = max%5000 + 1
		if max < 2 {
			max = 2
		}
		var joined strings.Builder
		for _, piece := range SplitText(s, max) {
			if piece == "" || textLen(piece) > max {
				t.Fatalf("piece %q: empty or over %d", piece, max)
			}
			plain, err := telegramtest.ParseHTML(EscapeHTML(piece))
			if err != nil || plain != piece {
				t.Fatalf("escaped %q parses to %q, %v", piece, plain, err)
			}
			joined.WriteString(piece)
		}
		if a, b := squeeze(s), squeeze(joined.String()); a != b {
			t.Fatalf("split lost text: %q vs %q", a, b)
		}
	})
}

// squeeze drops the whitespace a split may remove at its cuts.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' {
			return -1
		}
		return r
	}, s)
}
