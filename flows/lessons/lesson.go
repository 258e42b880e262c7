package lessons

import (
	"strconv"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/safety"
)

// MaxComment is the longest lesson comment kept.
const MaxComment = 500

// lesson returns the lesson in progress and its text in the user's language. When there is none (the lesson was
// removed, or the person's role changed) it says so, shows the modules and returns nil.
func (l *Lessons) lesson(c *flows.Ctx) (*content.Lesson, *content.LessonText) {
	cur := l.current(c.Profile)
	if cur == nil {
		c.Profile.Lessons.Current, c.Profile.Lessons.Stage = "", ""
		c.Say(c.T("lessons.not_open"))
		c.Goto("modules")
		return nil, nil
	}
	c.Profile.Lessons.Last = c.Now
	return cur, l.text(c, cur)
}

// text is lesson in the person's language, with {helpline} filled in: the configured line of their country, or
// both countries' lines when the country is not known.
func (l *Lessons) text(c *flows.Ctx, lesson *content.Lesson) *content.LessonText {
	var line string
	switch safety.Country(c.Profile) {
	case "DK":
		line = l.helplines.DK
	case "RO":
		line = l.helplines.RO
	default:
		line = c.T("lessons.helplines", "DK", l.helplines.DK, "RO", l.helplines.RO)
	}
	return lesson.In(c.Lang()).WithHelpline(line)
}

// at records where the person is, so the lesson resumes there.
func at(c *flows.Ctx, stage string) { c.Profile.Lessons.Stage = stage }

func (l *Lessons) askCard(c *flows.Ctx) {
	_, t := l.lesson(c)
	if t == nil {
		return
	}
	at(c, "card")
	i := min(max(c.Profile.Lessons.Card, 0), len(t.Cards)-1)
	c.Profile.Lessons.Card = i
	c.Ask("📖 "+t.Title+" · "+strconv.Itoa(i+1)+"/"+strconv.Itoa(len(t.Cards))+"\n\n"+t.Cards[i],
		flows.Row(flows.Choice(c.T("lessons.btn.next"), "next"), flows.Choice(c.T("lessons.btn.later"), "later")))
}

func (l *Lessons) answerCard(c *flows.Ctx) {
	_, t := l.lesson(c)
	if t == nil {
		return
	}
	switch v, _ := c.Choice(); v {
	case "next":
		d := &c.Profile.Lessons
		if d.Card+1 < len(t.Cards) {
			d.Card++
			c.Goto("card")
			return
		}
		c.Goto("question")
	case "later":
		c.Say(c.T("lessons.paused"))
		c.Done()
	default:
		c.Reask(c.T("core.use_buttons"))
	}
}

func letter(i int) string { return string(rune('A' + i)) }

func (l *Lessons) askQuestion(c *flows.Ctx) {
	_, t := l.lesson(c)
	if t == nil {
		return
	}
	at(c, "question")
	c.Say(c.T("lessons.scenario", "Scenario", t.Scenario))
	var opts []string
	var row []flows.Button
	for i, o := range t.Question.Options {
		opts = append(opts, letter(i)+") "+o.Text)
		row = append(row, flows.Choice(letter(i), o.ID))
	}
	c.Ask("❓ "+t.Question.Prompt+"\n\n"+strings.Join(opts, "\n\n"), row)
}

func (l *Lessons) answerQuestion(c *flows.Ctx) {
	cur, t := l.lesson(c)
	if t == nil {
		return
	}
	v, _ := c.Choice()
	chosen := t.Question.Option(v)
	if chosen == nil {
		c.Reask(c.T("lessons.pick_letter"))
		return
	}
	d := &c.Profile.Lessons
	if d.Correct == nil {
		d.Correct = map[string]bool{}
	}
	d.Correct[cur.ID] = chosen.ID == cur.Answer
	if chosen.ID == cur.Answer {
		c.Say(c.T("lessons.right", "Feedback", chosen.Feedback))
	} else {
		right := t.Question.Option(cur.Answer)
		idx := 0
		for i, o := range t.Question.Options {
			if o.ID == cur.Answer {
				idx = i
			}
		}
		c.Say(c.T("lessons.wrong", "Feedback", chosen.Feedback, "Letter", letter(idx), "Right", right.Text, "RightFeedback", right.Feedback))
	}
	c.Goto("reflect")
}

func (l *Lessons) askReflect(c *flows.Ctx) {
	_, t := l.lesson(c)
	if t == nil {
		return
	}
	at(c, "reflect")
	row := flows.Row(flows.Choice(c.T("lessons.btn.next"), "next"))
	text := c.T("lessons.reflect", "Prompt", t.Reflection)
	if _, ok := l.mentorOf(c); ok {
		row = append(row, flows.Choice(c.T("lessons.btn.share"), "share"))
		text += "\n\n" + c.T("lessons.reflect_mentor")
	}
	c.Ask(text, row)
}

// answerReflect lets a typed reflection pass: it is read, thanked for and dropped, never kept.
func (l *Lessons) answerReflect(c *flows.Ctx) {
	if _, t := l.lesson(c); t == nil {
		return
	}
	if c.Text() != "" {
		c.Say(c.T("lessons.reflect_thanks"))
		c.Goto("practice")
		return
	}
	switch v, _ := c.Choice(); v {
	case "next":
		c.Goto("practice")
	case "share":
		c.SetSlot(slotShare, shareReflection)
		c.SetSlot(slotLesson, c.Profile.Lessons.Current)
		c.Goto("share")
	default:
		c.Reask(c.T("core.use_buttons"))
	}
}

func (l *Lessons) askPractice(c *flows.Ctx) {
	_, t := l.lesson(c)
	if t == nil {
		return
	}
	at(c, "practice")
	c.Ask(c.T("lessons.practice", "Practice", t.Practice), flows.Row(flows.Choice(c.T("lessons.btn.got_it"), "ok")))
}

// answerPractice completes the lesson: it is marked done, counted, and its practice is scheduled to come back.
func (l *Lessons) answerPractice(c *flows.Ctx) {
	cur, t := l.lesson(c)
	if t == nil {
		return
	}
	if v, _ := c.Choice(); v != "ok" {
		c.Reask(c.T("core.use_buttons"))
		return
	}
	if l.fb != nil {
		if err := l.fb.Completed(c.Context(), cur.ID); err != nil {
			c.Reask(c.T("core.unavailable"))
			return
		}
	}
	d := &c.Profile.Lessons
	if d.Done == nil {
		d.Done = map[string]time.Time{}
	}
	d.Done[cur.ID] = c.Now
	d.Current, d.Stage, d.Card = "", "", 0
	l.schedulePractice(c, cur.ID)
	c.SetSlot(slotLesson, cur.ID)
	c.Goto("rate")
}

const slotLesson = "lesson"

// finished is the lesson just completed (kept in a slot for the rating and comment steps).
func (l *Lessons) finished(c *flows.Ctx) *content.Lesson { return l.lib.Lesson(c.Slot(slotLesson)) }

func (l *Lessons) askRate(c *flows.Ctx) {
	row := make([]flows.Button, 0, 5)
	for i := 1; i <= 5; i++ {
		row = append(row, flows.Choice(strconv.Itoa(i), strconv.Itoa(i)))
	}
	c.Ask(c.T("lessons.rate"), row, flows.Row(flows.Choice(c.T("lessons.btn.skip"), "skip")))
}

func (l *Lessons) answerRate(c *flows.Ctx) {
	lesson := l.finished(c)
	v, _ := c.Choice()
	if v == "skip" || lesson == nil {
		l.finish(c, lesson)
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 5 {
		c.Reask(c.T("lessons.pick_rating"))
		return
	}
	if l.fb != nil {
		if err := l.fb.Rated(c.Context(), lesson.ID, n); err != nil {
			c.Reask(c.T("core.unavailable"))
			return
		}
	}
	c.Goto("comment")
}

func (l *Lessons) askComment(c *flows.Ctx) {
	c.Ask(c.T("lessons.comment"), flows.Row(flows.Choice(c.T("lessons.btn.skip"), "skip")))
}

func (l *Lessons) answerComment(c *flows.Ctx) {
	lesson := l.finished(c)
	text := c.Text()
	if v, _ := c.Choice(); v == "skip" || lesson == nil {
		l.finish(c, lesson)
		return
	}
	if text == "" {
		c.Reask(c.T("core.use_buttons"))
		return
	}
	if len([]rune(text)) > MaxComment {
		c.Reask(c.T("lessons.comment_too_long", "Max", MaxComment))
		return
	}
	if l.fb != nil {
		if err := l.fb.Commented(c.Context(), lesson.ID, text); err != nil {
			c.Reask(c.T("core.unavailable"))
			return
		}
	}
	c.Say(c.T("lessons.comment_thanks"))
	l.finish(c, lesson)
}

// finish ends the lesson with its module's progress and a suggestion for what to read next.
func (l *Lessons) finish(c *flows.Ctx, lesson *content.Lesson) {
	c.Done()
	if lesson == nil {
		c.Say(c.T("lessons.closed"))
		return
	}
	done, total := l.progress(c.Profile, lesson.Module)
	text := c.T("lessons.finished", "Title", lesson.In(c.Lang()).Title,
		"Module", l.lib.Module(lesson.Module).In(c.Lang()).Title, "Done", done, "Total", total)
	lessonsBtn := flows.ActionButton(c.T("lessons.btn.lessons"), FlowName)
	nx := l.next(c.Profile, lesson.ID)
	if nx == nil {
		c.Say(text+"\n\n"+c.T("lessons.all_done"), flows.Row(lessonsBtn))
		return
	}
	c.Say(text+"\n\n"+c.T("lessons.next_hint", "Title", nx.In(c.Lang()).Title, "Minutes", nx.Minutes),
		flows.Row(flows.ActionButton(c.T("lessons.btn.start_next"), FlowName, "l", nx.ID), lessonsBtn))
}
