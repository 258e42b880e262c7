package lessons

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
)

// MinGroup is the smallest count a report shows: fewer completions or ratings than this are suppressed, so no
// one's feedback can be singled out.
const MinGroup = 5

// report sends a coordinator the lesson feedback as a CSV file: completions, rating counts and average per lesson,
// and the comments, with counts under MinGroup suppressed. Nothing in it names anyone.
func (l *Lessons) report(c *flows.Ctx) error {
	if l.fb == nil {
		c.Say(c.T("lessons.report_unavailable"))
		return nil
	}
	all := l.lib.All()
	ids := make([]string, len(all))
	for i, ls := range all {
		ids[i] = ls.ID
	}
	stats, err := l.fb.Stats(c.Context(), ids)
	if err != nil {
		return fmt.Errorf("lesson feedback: %w", err)
	}
	data, err := ReportCSV(all, stats, c.Lang())
	if err != nil {
		return fmt.Errorf("lesson report: %w", err)
	}
	c.Reply(flows.Reply{
		Text: c.T("lessons.report_text", "Min", MinGroup),
		File: &flows.File{Name: "lesson-feedback-" + c.Now.In(c.Profile.Location()).Format(time.DateOnly) + ".csv", Type: "text/csv", Data: data},
	})
	return nil
}

// ReportCSV writes the report: one row per lesson, titles in lang. A lesson completed fewer than MinGroup times
// shows "<5" and nothing else; ratings, average and comments appear only from MinGroup ratings on.
func ReportCSV(lessons []*content.Lesson, stats map[string]Stats, lang string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	below := "<" + strconv.Itoa(MinGroup)
	rows := [][]string{{"lesson_id", "module", "title", "completions", "rated_1", "rated_2", "rated_3", "rated_4", "rated_5", "ratings", "average", "comments"}}
	for _, ls := range lessons {
		st := stats[ls.ID]
		row := []string{ls.ID, ls.Module, safeCell(ls.In(lang).Title), below, "", "", "", "", "", "", "", ""}
		rated, sum := 0, 0
		for i, n := range st.Ratings {
			rated += n
			sum += n * (i + 1)
		}
		switch {
		case st.Completions < MinGroup:
		case rated < MinGroup:
			row[3], row[9] = strconv.Itoa(st.Completions), below
		default:
			row[3] = strconv.Itoa(st.Completions)
			for i, n := range st.Ratings {
				row[4+i] = strconv.Itoa(n)
			}
			row[9] = strconv.Itoa(rated)
			row[10] = strconv.FormatFloat(float64(sum)/float64(rated), 'f', 2, 64)
			cs := make([]string, 0, len(st.Comments))
			for _, cm := range st.Comments {
				cs = append(cs, strings.Join(strings.Fields(cm), " "))
			}
			row[11] = safeCell(strings.Join(cs, " | "))
		}
		rows = append(rows, row)
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// safeCell keeps a spreadsheet from reading free text as a formula (CSV injection).
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
