package slack

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/m4pris/mentorbot/flows"
)

func testAdapter() *Adapter {
	return &Adapter{o: Options{Command: "/mentor"}, cmds: map[string]bool{"privacy": true, "menu": true, "link": true}}
}

func sectionTexts(t *testing.T, blocks []slackapi.Block) []string {
	t.Helper()
	var out []string
	for _, b := range blocks {
		if s, ok := b.(*slackapi.SectionBlock); ok {
			if s.Text.Type != slackapi.MarkdownType {
				t.Errorf("section text type %q, want mrkdwn", s.Text.Type)
			}
			out = append(out, s.Text.Text)
		}
	}
	return out
}

func TestRenderEscapesUserText(t *testing.T) {
	msgs := testAdapter().render(flows.Reply{Text: "Hi <!channel> & <@U1>, see /privacy or /link; not https://x/menu or /unknown"})
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	got := sectionTexts(t, msgs[0].blocks)[0]
	want := "Hi &lt;!channel&gt; &amp; &lt;@U1&gt;, see /mentor privacy or /mentor link; not https://x/menu or /unknown"
	if got != want {
		t.Fatalf("section:\n got %q\nwant %q", got, want)
	}
	if strings.ContainsAny(msgs[0].fallback, "<>") {
		t.Fatalf("fallback not escaped: %q", msgs[0].fallback)
	}
}

func TestRenderButtons(t *testing.T) {
	long := strings.Repeat("é", 100)
	msgs := testAdapter().render(flows.Reply{Text: "Pick one", Buttons: [][]flows.Button{
		{{Label: "Yes", Data: "s3:yes"}, {Label: "No", Data: "s3:no"}},
		{{Label: long, Data: "g:menu"}},
	}})
	b, _ := json.Marshal(msgs[0].blocks)
	var blocks []struct {
		Type     string `json:"type"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
			Text     struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(b, &blocks); err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 3 || blocks[1].Type != "actions" || blocks[2].Type != "actions" {
		t.Fatalf("blocks: %s", b)
	}
	row := blocks[1].Elements
	if len(row) != 2 || row[0].Value != "s3:yes" || row[1].Value != "s3:no" || row[0].ActionID == row[1].ActionID {
		t.Fatalf("first row: %+v", row)
	}
	if n := utf8.RuneCountInString(blocks[2].Elements[0].Text.Text); n != maxButtonLabel {
		t.Fatalf("long label has %d runes, want %d", n, maxButtonLabel)
	}
}

func TestRenderRespectsSlackLimits(t *testing.T) {
	para := strings.Repeat("word & <b> ", 90) // 990 runes, 1,530 once escaped
	var paras []string
	for range 120 {
		paras = append(paras, para)
	}
	rows := [][]flows.Button{{{Label: "OK", Data: "s1:ok"}}}
	msgs := testAdapter().render(flows.Reply{Text: strings.Join(paras, "\n\n"), Buttons: rows})
	total := 0
	for i, m := range msgs {
		if len(m.blocks) > maxBlocks {
			t.Errorf("message %d has %d blocks", i, len(m.blocks))
		}
		for _, s := range sectionTexts(t, m.blocks) {
			if n := utf8.RuneCountInString(s); n > maxSectionText {
				t.Errorf("section of %d characters", n)
			}
			total += strings.Count(s, "word")
		}
		last := m.blocks[len(m.blocks)-1].BlockType() == slackapi.MBTAction
		if last != (i == len(msgs)-1) {
			t.Errorf("message %d: buttons must be on the last message only", i)
		}
	}
	if total != 120*90 {
		t.Errorf("%d words arrived, want %d", total, 120*90)
	}
	if len(msgs) < 2 {
		t.Errorf("120 paragraphs fit in %d message", len(msgs))
	}
}

func TestSplitLongWord(t *testing.T) {
	word := strings.Repeat("&", 2000) // 10,000 characters escaped
	parts := split(word, maxSectionText)
	if strings.Join(parts, "") != word {
		t.Fatal("split lost text")
	}
	for _, p := range parts {
		if escapedLen(p) > maxSectionText {
			t.Fatalf("part of %d escaped characters", escapedLen(p))
		}
	}
}

func TestChosenRemovesButtons(t *testing.T) {
	msgs := testAdapter().render(flows.Reply{Text: "Language?", Buttons: [][]flows.Button{{{Label: "English", Data: "s1:en"}}}})
	out := chosen(msgs[0].blocks, "English <3")
	b, _ := json.Marshal(out)
	s := string(b)
	if strings.Contains(s, `"actions"`) || !strings.Contains(s, `✓ English \u0026lt;3`) || !strings.Contains(s, "Language?") {
		t.Fatalf("chosen blocks: %s", s)
	}
}

func TestPlainText(t *testing.T) {
	got := plainText("22:00 &lt; 07:00 &amp; <https://example.org|example> <mailto:a@b.c>")
	if want := "22:00 < 07:00 & example mailto:a@b.c"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// BenchmarkRender measures rendering a typical long reply: a lesson page of about 1,500 characters with two rows
// of buttons.
func BenchmarkRender(b *testing.B) {
	a := testAdapter()
	r := flows.Reply{Text: strings.Repeat("A short paragraph about listening & <noticing>. See /privacy.\n\n", 24),
		Buttons: [][]flows.Button{{{Label: "Next", Data: "s4:next"}, {Label: "Back", Data: "s4:back"}}, {{Label: "Menu", Data: "g:menu"}}}}
	b.ReportAllocs()
	for b.Loop() {
		if len(a.render(r)) != 1 {
			b.Fatal("want one message")
		}
	}
}
