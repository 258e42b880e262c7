package telegram

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/m4pris/mentorbot/flows"
)

// MaxMessage is Telegram's limit on a message's text after entity parsing, in UTF-16 code units (Telegram counts
// text the way JavaScript does, so an emoji outside the BMP counts twice).
const MaxMessage = 4096

// EscapeHTML makes plain text safe for parse_mode HTML. Telegram knows only &lt; &gt; &amp; &quot; by name, so
// nothing else is written as a named entity.
func EscapeHTML(s string) string {
	if !strings.ContainsAny(s, "<>&") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// textLen is the length of s as Telegram counts it.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// SplitText cuts plain text into pieces of at most max units (MaxMessage when max ≤ 0), at the last paragraph
// break that fits, else the last line break, else the last space, else between two characters. Whitespace at a cut
// is dropped; no piece is empty.
func SplitText(s string, max int) []string {
	if max <= 0 {
		max = MaxMessage
	}
	var out []string
	for {
		s = strings.TrimLeft(s, " \n")
		if s == "" {
			return out
		}
		// Measuring only up to max keeps splitting linear in the text's length.
		fit := prefixFitting(s, max)
		if fit == len(s) {
			return append(out, strings.TrimRight(s, " \n"))
		}
		cut := -1
		for _, sep := range []string{"\n\n", "\n", " "} {
			// The separator may start right where the fitting prefix ends; a cut at the start would make an
			// empty piece.
			if i := strings.LastIndex(s[:min(len(s), fit+len(sep))], sep); i > 0 {
				cut = i
				break
			}
		}
		if cut < 0 {
			cut = fit
		}
		piece := strings.TrimRight(s[:cut], " \n")
		if piece == "" {
			piece, cut = s[:fit], fit
		}
		out = append(out, piece)
		s = s[cut:]
	}
}

// prefixFitting returns the byte length of the longest prefix of s that fits in max units, cut at a rune boundary.
// It is at least one rune, so SplitText always advances.
func prefixFitting(s string, max int) int {
	n, i := 0, 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		w := utf16.RuneLen(r)
		if w < 0 {
			w = 1 // invalid UTF-8 is sent as U+FFFD
		}
		if n+w > max {
			break
		}
		n += w
		i += size
	}
	if i == 0 {
		_, i = utf8.DecodeRuneInString(s)
	}
	return i
}

// keyboard is the inline keyboard as sent. It is ours rather than models.InlineKeyboardMarkup because that type
// always serialises an empty copy_text object, which the Bot API may reject (BUTTON_COPY_TEXT_INVALID).
type keyboard struct {
	InlineKeyboard [][]keyButton `json:"inline_keyboard"`
}

type keyButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

// removeKeyboard empties a message's keyboard (editMessageReplyMarkup).
var removeKeyboard = keyboard{InlineKeyboard: [][]keyButton{}}

// renderKeyboard turns button rows into an inline keyboard. A button whose payload Telegram would refuse (empty or
// over 64 bytes) is left out rather than failing the whole message; the count of dropped buttons is returned so the
// caller can log the flow bug.
func renderKeyboard(rows [][]flows.Button) (*keyboard, int) {
	var kb keyboard
	dropped := 0
	for _, row := range rows {
		var out []keyButton
		for _, b := range row {
			if b.Data == "" || len(b.Data) > flows.MaxPayload || strings.TrimSpace(b.Label) == "" {
				dropped++
				continue
			}
			out = append(out, keyButton{Text: b.Label, CallbackData: b.Data})
		}
		if len(out) > 0 {
			kb.InlineKeyboard = append(kb.InlineKeyboard, out)
		}
	}
	if len(kb.InlineKeyboard) == 0 {
		return nil, dropped
	}
	return &kb, dropped
}
