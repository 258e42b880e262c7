package slack

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/m4pris/mentorbot/flows"
)

// Slack's Block Kit limits.
const (
	maxBlocks      = 50   // blocks in one message
	maxSectionText = 3000 // characters in a section's text
	maxButtonLabel = 75   // characters in a button's text
	maxActions     = 25   // elements in one actions block
	maxFallback    = 300  // the notification text; the blocks carry the message
)

// message is one chat.postMessage: blocks and the plain fallback Slack shows in notifications.
type message struct {
	blocks   []slackapi.Block
	fallback string
}

// render turns a reply into Slack messages: its text as mrkdwn sections (escaped, split to fit), its button rows
// as actions blocks. A reply too big for one message becomes several, with the buttons on the last.
func (a *Adapter) render(r flows.Reply) []message {
	text := a.slashCommands(r.Text)
	var sections []slackapi.Block
	for _, part := range split(text, maxSectionText) {
		sections = append(sections, slackapi.NewSectionBlock(slackapi.NewTextBlockObject(slackapi.MarkdownType, escape(part), false, false), nil, nil))
	}
	actions := actionBlocks(r.Buttons)
	if len(sections) == 0 && len(actions) == 0 {
		return nil
	}
	if len(actions) > maxBlocks {
		actions = actions[:maxBlocks]
	}
	var out []message
	for len(sections) > 0 {
		n := min(len(sections), maxBlocks)
		out = append(out, message{blocks: sections[:n]})
		sections = sections[n:]
	}
	if len(actions) > 0 {
		if k := len(out) - 1; k >= 0 && len(out[k].blocks)+len(actions) <= maxBlocks {
			out[k].blocks = append(out[k].blocks, actions...)
		} else {
			out = append(out, message{blocks: actions})
		}
	}
	fallback := escape(truncate(text, maxFallback))
	for i := range out {
		out[i].fallback = fallback
	}
	return out
}

func actionBlocks(rows [][]flows.Button) []slackapi.Block {
	var out []slackapi.Block
	for i, row := range rows {
		var elems []slackapi.BlockElement
		for j, b := range row {
			if j == maxActions {
				break
			}
			// The action id only has to be unique in the message; the payload travels as the value.
			btn := slackapi.NewButtonBlockElement(fmt.Sprintf("mb%d.%d", i, j), b.Data,
				slackapi.NewTextBlockObject(slackapi.PlainTextType, truncate(b.Label, maxButtonLabel), true, false))
			elems = append(elems, btn)
		}
		if len(elems) > 0 {
			out = append(out, slackapi.NewActionBlock(fmt.Sprintf("mbrow%d", i), elems...))
		}
	}
	return out
}

// chosen is the pressed message without its buttons and with the choice underneath, so the same choice cannot be
// made twice and the conversation still reads well.
func chosen(blocks []slackapi.Block, label string) []slackapi.Block {
	var out []slackapi.Block
	for _, b := range blocks {
		if b.BlockType() != slackapi.MBTAction {
			out = append(out, b)
		}
	}
	if label != "" {
		out = append(out, choiceBlock(label))
	}
	return out
}

// choiceBlock is the small "✓ choice" line that stays where a question's buttons were.
func choiceBlock(label string) slackapi.Block {
	return slackapi.NewContextBlock("", slackapi.NewTextBlockObject(slackapi.MarkdownType, "✓ "+escape(label), false, false))
}

// escape makes plain text safe as mrkdwn: Slack reads <…> as links and mentions (<!channel>), & as an entity.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// escapedLen is the length of s once escaped.
func escapedLen(s string) int {
	return utf8.RuneCountInString(s) + 4*strings.Count(s, "&") + 3*strings.Count(s, "<") + 3*strings.Count(s, ">")
}

// split cuts text into parts whose escaped length fits limit, between paragraphs where possible, then between
// lines, then between words, and as a last resort inside a word.
func split(text string, limit int) []string {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	if escapedLen(text) <= limit {
		return []string{text}
	}
	for _, sep := range []string{"\n\n", "\n", " "} {
		pieces := strings.Split(text, sep)
		if len(pieces) == 1 {
			continue
		}
		var out []string
		cur := ""
		for _, p := range pieces {
			switch {
			case cur == "":
				cur = p
			case escapedLen(cur+sep+p) <= limit:
				cur += sep + p
			default:
				out = append(out, split(cur, limit)...)
				cur = p
			}
		}
		return append(out, split(cur, limit)...)
	}
	// One word longer than the limit: cut it by runes.
	var out []string
	for text != "" {
		cost, size := 0, 0
		for i, r := range text {
			c := escapedLen(string(r))
			if cost+c > limit {
				break
			}
			cost, size = cost+c, i+utf8.RuneLen(r)
		}
		out = append(out, text[:size])
		text = text[size:]
	}
	return out
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// slashCommands rewrites the engine's commands mentioned in a text ("/privacy") into the form Slack users type
// ("/mentor privacy"): Slack has one slash command per app. A mention starts the text or follows a space or an
// opening bracket, so paths in URLs stay as they are.
func (a *Adapter) slashCommands(text string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(text); i++ {
		if text[i] != '/' || (i > 0 && !strings.ContainsRune(" \n\t(", rune(text[i-1]))) {
			continue
		}
		j := i + 1
		for j < len(text) && (text[j] >= 'a' && text[j] <= 'z' || text[j] == '_') {
			j++
		}
		if j == i+1 || (j < len(text) && isWordByte(text[j])) || !a.cmds[text[i+1:j]] {
			continue
		}
		b.WriteString(text[last:i])
		b.WriteString(a.o.Command)
		b.WriteByte(' ')
		b.WriteString(text[i+1 : j])
		last = j
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// slackLink matches Slack's <…> markup in incoming text: links, mentions.
var slackLink = regexp.MustCompile(`<([^<>]*)>`)

// plainText reads a Slack message text as the user typed it: links and mentions as their label, entities undone.
func plainText(s string) string {
	s = slackLink.ReplaceAllStringFunc(s, func(m string) string {
		inner := m[1 : len(m)-1]
		if _, label, ok := strings.Cut(inner, "|"); ok {
			return label
		}
		return inner
	})
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}
