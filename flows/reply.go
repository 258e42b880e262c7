package flows

// Reply is one message from the bot, platform-neutral. Adapters render it: Telegram HTML and inline keyboards, Slack
// Block Kit, console numbered choices. Text is plain: adapters escape it; paragraphs are separated by blank lines.
type Reply struct {
	Text string
	// Buttons in rows. Each button's Data is an opaque payload of at most MaxPayload bytes.
	Buttons [][]Button
	// ClosePressed asks the adapter to remove the keyboard of the message whose button was pressed (or replace it
	// with Text when Text is set and Replace is true), so the same choice cannot be pressed twice.
	ClosePressed bool
	// File is an attachment (used by /export).
	File *File
}

// Button is one choice under a message.
type Button struct {
	Label string
	Data  string
}

// File is a document sent to the user.
type File struct {
	Name string
	Type string
	Data []byte
}
