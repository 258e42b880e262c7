package lessons

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/m4pris/mentorbot/flows"
)

// Sharing with the mentor. A reflection or a practice report is never kept: the person chooses "to my mentor"
// first, and what they then type goes straight into a task for the mentor. Text typed without that choice is
// thanked for and dropped.

const slotShare = "share"

// What is shared: a lesson's reflection, or how its practice went.
const (
	shareReflection = "r"
	sharePractice   = "p"
)

func (l *Lessons) mentorOf(c *flows.Ctx) (string, bool) {
	if l.mentors == nil {
		return "", false
	}
	return l.mentors.MentorOf(c.Context(), c.Profile)
}

func (l *Lessons) askShare(c *flows.Ctx) error {
	c.Ask(c.T("lessons.share_ask"), flows.Row(flows.Choice(c.T("lessons.btn.dont_send"), "cancel")))
	return nil
}

func (l *Lessons) answerShare(c *flows.Ctx) error {
	text := c.Text()
	if text == "" {
		if v, _ := c.Choice(); v == "cancel" {
			c.Say(c.T("lessons.share_cancelled"))
			afterShare(c)
			return nil
		}
		c.Reask(c.T("lessons.share_type"))
		return nil
	}
	mentor, ok := l.mentorOf(c)
	lesson := l.lib.Lesson(c.Slot(slotLesson))
	if !ok || lesson == nil {
		c.Say(c.T("lessons.no_mentor"))
		afterShare(c)
		return nil
	}
	kind := c.Slot(slotShare)
	sum := sha256.Sum256([]byte(text))
	// Deterministic: a redelivered update enqueues the same task once.
	id := "lessons.share:" + c.Profile.ID + ":" + lesson.ID + ":" + kind + ":" + hex.EncodeToString(sum[:6])
	c.Schedule(flows.NewTask(id, mentor, SharedJob, sharedArgs{Kind: kind, Lesson: lesson.ID, Name: c.Profile.Name, Text: text}))
	c.Say(c.T("lessons.share_sent"))
	afterShare(c)
	return nil
}

// sharedArgs are SharedJob's: what the mentee shared (a reflection or a practice, sharePractice) about which
// lesson, and their first name. The text is the mentee's own words, meant for the mentor; it lives in the queue
// until delivered, like any message.
type sharedArgs struct {
	Kind   string `json:"kind"`
	Lesson string `json:"lesson"`
	Name   string `json:"name,omitempty"`
	Text   string `json:"text"`
}

// afterShare goes on to the practice inside a lesson, and ends the practice report-back.
func afterShare(c *flows.Ctx) {
	c.SetSlot(slotShare, "")
	if c.State.Flow == FlowName {
		c.Goto("practice")
		return
	}
	c.Done()
}

// shared shows the mentor what their mentee shared. It runs in the mentor's turn and leaves their conversation as
// it is.
func (l *Lessons) shared(c *flows.Ctx) error {
	var a sharedArgs
	if err := c.Args(&a); err != nil {
		return err
	}
	kind, name, text := a.Kind, a.Name, a.Text
	lesson := l.lib.Lesson(a.Lesson)
	if lesson == nil || strings.TrimSpace(text) == "" {
		return nil
	}
	if name == "" {
		name = c.T("lessons.your_mentee")
	}
	key := "lessons.shared_reflection"
	if kind == sharePractice {
		key = "lessons.shared_practice"
	}
	c.Say(c.T(key, "Name", name, "Title", lesson.In(c.Lang()).Title, "Text", text))
	return nil
}
