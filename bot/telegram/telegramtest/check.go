package telegramtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

// maxText is Telegram's limit on a message after entity parsing, in UTF-16 code units.
const maxText = 4096

// checkText parses a message text as Telegram does and returns it as the user sees it.
func checkText(text, parseMode string) (string, error) {
	plain := text
	if strings.EqualFold(parseMode, "HTML") {
		var err error
		if plain, err = ParseHTML(text); err != nil {
			return "", err
		}
	}
	if strings.TrimSpace(plain) == "" {
		return "", errors.New("message text is empty")
	}
	if len(utf16.Encode([]rune(plain))) > maxText {
		return "", errors.New("message is too long")
	}
	return plain, nil
}

// htmlTags are the tags Telegram's HTML parse mode knows.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true, "s": true, "strike": true, "del": true,
	"a": true, "code": true, "pre": true, "tg-spoiler": true, "span": true, "blockquote": true, "tg-emoji": true,
}

// ParseHTML checks text in Telegram's HTML parse mode and returns the text without tags and with entities
// decoded. Like Telegram, it refuses unknown tags, unclosed tags and unknown named entities, which is what a
// bot that forgets to escape user text runs into.
func ParseHTML(text string) (string, error) {
	var b strings.Builder
	var open []string
	for i := 0; i < len(text); {
		switch text[i] {
		case '<':
			end := strings.IndexByte(text[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("can't parse entities: unclosed start tag at byte offset %d", i)
			}
			tag := text[i+1 : i+end]
			name, _, _ := strings.Cut(strings.TrimPrefix(tag, "/"), " ")
			if !htmlTags[name] {
				return "", fmt.Errorf("can't parse entities: unsupported start tag %q at byte offset %d", name, i)
			}
			if strings.HasPrefix(tag, "/") {
				if len(open) == 0 || open[len(open)-1] != name {
					return "", fmt.Errorf("can't parse entities: unmatched end tag at byte offset %d", i)
				}
				open = open[:len(open)-1]
			} else {
				open = append(open, name)
			}
			i += end + 1
		case '&':
			end := strings.IndexByte(text[i:], ';')
			if end < 0 {
				return "", fmt.Errorf("can't parse entities: can't find end of the entity starting at byte offset %d", i)
			}
			ent := text[i+1 : i+end]
			r, ok := entity(ent)
			if !ok {
				return "", fmt.Errorf("can't parse entities: unsupported entity %q at byte offset %d", ent, i)
			}
			b.WriteRune(r)
			i += end + 1
		default:
			b.WriteByte(text[i])
			i++
		}
	}
	if len(open) > 0 {
		return "", fmt.Errorf("can't parse entities: can't find end tag corresponding to start tag %q", open[len(open)-1])
	}
	return b.String(), nil
}

func entity(e string) (rune, bool) {
	switch e {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "quot":
		return '"', true
	}
	if n, ok := strings.CutPrefix(e, "#x"); ok {
		v, err := strconv.ParseInt(n, 16, 32)
		return rune(v), err == nil
	}
	if n, ok := strings.CutPrefix(e, "#"); ok {
		v, err := strconv.ParseInt(n, 10, 32)
		return rune(v), err == nil
	}
	return 0, false
}

// parseKeyboard checks an inline keyboard as Telegram does: every button has text and exactly one action, and
// callback data is 1–64 bytes. A copy_text object without text is refused, as the Bot API does.
func parseKeyboard(raw string) ([][]Button, error) {
	if raw == "" {
		return nil, nil
	}
	var kb struct {
		Inline *[][]map[string]json.RawMessage `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &kb); err != nil {
		return nil, fmt.Errorf("can't parse reply keyboard markup JSON object")
	}
	if kb.Inline == nil {
		return nil, errors.New("reply markup is not an inline keyboard")
	}
	var out [][]Button
	for _, row := range *kb.Inline {
		var r []Button
		for _, fields := range row {
			var b Button
			_ = json.Unmarshal(fields["text"], &b.Text)
			if b.Text == "" {
				return nil, errors.New("can't parse inline keyboard button: text must be non-empty")
			}
			if ct, ok := fields["copy_text"]; ok {
				var c struct{ Text string }
				if json.Unmarshal(ct, &c) != nil || c.Text == "" {
					return nil, errors.New("BUTTON_COPY_TEXT_INVALID")
				}
			}
			actions := 0
			for k := range fields {
				if k != "text" && k != "icon_custom_emoji_id" && k != "style" {
					actions++
				}
			}
			if actions != 1 {
				return nil, errors.New("can't parse inline keyboard button: exactly one of the optional fields must be used")
			}
			if d, ok := fields["callback_data"]; ok {
				_ = json.Unmarshal(d, &b.Data)
				if len(b.Data) == 0 || len(b.Data) > 64 {
					return nil, errors.New("BUTTON_DATA_INVALID")
				}
			}
			r = append(r, b)
		}
		if len(r) > 0 {
			out = append(out, r)
		}
	}
	return out, nil
}
