package lessons

import (
	"slices"
	"strconv"
	"strings"

	"github.com/m4pris/mentorbot/flows"
)

// The practice loop: a lesson ends with "try this before your next session"; a few days later (outside quiet hours
// and days off) the bot asks whether the person tried it, and the answer may go to the mentor.

// maxPracticeAsks bounds the report-back prompts of one practice: the first, and one more after "not yet".
const maxPracticeAsks = 2

func practiceTaskID(pid, lesson string, ask int) string {
	return string(PracticeJob) + ":" + pid + ":" + lesson + ":" + strconv.Itoa(ask)
}

// schedulePractice queues the report-back of lesson (again, after "not yet").
func (l *Lessons) schedulePractice(c *flows.Ctx, lesson string) {
	d := &c.Profile.Lessons
	i := slices.IndexFunc(d.Practice, func(x flows.PracticeDue) bool { return x.Lesson == lesson })
	if i < 0 {
		d.Practice = append(d.Practice, flows.PracticeDue{Lesson: lesson})
		i = len(d.Practice) - 1
	}
	d.Practice[i].Asks++
	c.Schedule(flows.Task{
		ID: practiceTaskID(c.Profile.ID, lesson, d.Practice[i].Asks), Profile: c.Profile.ID, Job: PracticeJob,
		Args: lesson, At: c.Profile.NextAllowed(c.Now.Add(l.practiceAfter)),
	})
}

func pending(p *flows.Profile, lesson string) int {
	return slices.IndexFunc(p.Lessons.Practice, func(x flows.PracticeDue) bool { return x.Lesson == lesson })
}

func dropPending(p *flows.Profile, lesson string) {
	p.Lessons.Practice = slices.DeleteFunc(p.Lessons.Practice, func(x flows.PracticeDue) bool { return x.Lesson == lesson })
}

// practicePrompt is the report-back task: it asks with global buttons, so whatever conversation the person is in
// stays as it is.
func (l *Lessons) practicePrompt(c *flows.Ctx) {
	lesson := l.lib.Lesson(c.Event.Args)
	if lesson == nil || pending(c.Profile, lesson.ID) < 0 {
		return // answered already, or the lesson is gone
	}
	t := l.text(c, lesson)
	c.Say(c.T("lessons.practice_ask", "Title", t.Title, "Practice", t.Practice),
		flows.Row(
			flows.ActionButton(c.T("lessons.btn.tried"), "lpractice", lesson.ID, "tried"),
			flows.ActionButton(c.T("lessons.btn.not_yet"), "lpractice", lesson.ID, "later"),
		),
		flows.Row(flows.ActionButton(c.T("lessons.btn.skip"), "lpractice", lesson.ID, "skip")),
	)
}

// practiceChoice handles the report-back buttons ("lpractice <lesson> tried|later|skip").
func (l *Lessons) practiceChoice(c *flows.Ctx) {
	f := strings.Fields(c.Event.Args)
	if len(f) != 2 || l.lib.Lesson(f[0]) == nil || pending(c.Profile, f[0]) < 0 {
		c.Say(c.T("core.stale"))
		return
	}
	lesson, choice := f[0], f[1]
	p := c.Profile
	switch choice {
	case "tried":
		dropPending(p, lesson)
		c.StartFlow(PracticeFlow)
	case "later":
		if p.Lessons.Practice[pending(p, lesson)].Asks >= maxPracticeAsks {
			dropPending(p, lesson)
			c.Say(c.T("lessons.practice_last"))
			return
		}
		l.schedulePractice(c, lesson)
		c.Say(c.T("lessons.practice_later"))
	case "skip":
		dropPending(p, lesson)
		c.Say(c.T("lessons.practice_skipped"))
	default:
		c.Say(c.T("core.stale"))
	}
}

// startPractice begins the report-back conversation for the lesson in the pressed button.
func (l *Lessons) startPractice(c *flows.Ctx) {
	f := strings.Fields(c.Event.Args)
	if len(f) == 0 || l.lib.Lesson(f[0]) == nil {
		c.Say(c.T("core.stale"))
		c.Done()
		return
	}
	c.SetSlot(slotLesson, f[0])
}

func (l *Lessons) askHow(c *flows.Ctx) {
	row := flows.Row(flows.Choice(c.T("lessons.btn.done"), "done"))
	text := c.T("lessons.practice_how")
	if _, ok := l.mentorOf(c); ok {
		row = append([]flows.Button{flows.Choice(c.T("lessons.btn.share"), "share")}, row...)
		text += "\n\n" + c.T("lessons.reflect_mentor")
	}
	c.Ask(text, row)
}

// answerHow reads how it went and drops it; only "to my mentor" passes text on.
func (l *Lessons) answerHow(c *flows.Ctx) {
	if c.Text() != "" {
		c.Say(c.T("lessons.practice_thanks"))
		c.Done()
		return
	}
	switch v, _ := c.Choice(); v {
	case "done":
		c.Say(c.T("lessons.practice_done"))
		c.Done()
	case "share":
		c.SetSlot(slotShare, sharePractice)
		c.Goto("share")
	default:
		c.Reask(c.T("core.use_buttons"))
	}
}
