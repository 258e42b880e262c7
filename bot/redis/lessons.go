package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	goredis "github.com/redis/go-redis/v9"

	"github.com/m4pris/mentorbot/flows/lessons"
)

// LessonFeedback keeps anonymous lesson feedback: counts and comments per lesson, never who gave them.
type LessonFeedback struct {
	c Client
	// MaxComments is how many of the newest comments are kept per lesson. Zero means 200: enough for a
	// coordinator to read, bounded so free text does not pile up for ever.
	MaxComments int
}

var _ lessons.Feedback = (*LessonFeedback)(nil)

// NewLessonFeedback returns the feedback store on c.
func NewLessonFeedback(c Client) *LessonFeedback { return &LessonFeedback{c: c} }

// Completed counts one completion (one round trip).
func (f *LessonFeedback) Completed(ctx context.Context, lesson string) error {
	if err := f.c.HIncrBy(ctx, keyLessonStats(lesson), "done", 1).Err(); err != nil {
		return fmt.Errorf("count lesson completion: %w", err)
	}
	return nil
}

// Rated counts one rating of 1–5 (one round trip).
func (f *LessonFeedback) Rated(ctx context.Context, lesson string, rating int) error {
	if rating < 1 || rating > 5 {
		return fmt.Errorf("rating %d out of range", rating)
	}
	if err := f.c.HIncrBy(ctx, keyLessonStats(lesson), "r"+strconv.Itoa(rating), 1).Err(); err != nil {
		return fmt.Errorf("count lesson rating: %w", err)
	}
	return nil
}

// Commented keeps one comment, dropping the oldest beyond MaxComments (one round trip).
func (f *LessonFeedback) Commented(ctx context.Context, lesson, comment string) error {
	max := f.MaxComments
	if max <= 0 {
		max = 200
	}
	pipe := f.c.TxPipeline()
	pipe.RPush(ctx, keyLessonComments(lesson), comment)
	pipe.LTrim(ctx, keyLessonComments(lesson), int64(-max), -1)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("keep lesson comment: %w", err)
	}
	return nil
}

// Stats reads the counts and comments of the given lessons in one pipeline.
func (f *LessonFeedback) Stats(ctx context.Context, ids []string) (map[string]lessons.Stats, error) {
	pipe := f.c.Pipeline()
	counts := make([]*goredis.MapStringStringCmd, len(ids))
	comments := make([]*goredis.StringSliceCmd, len(ids))
	for i, id := range ids {
		counts[i] = pipe.HGetAll(ctx, keyLessonStats(id))
		comments[i] = pipe.LRange(ctx, keyLessonComments(id), 0, -1)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
		return nil, fmt.Errorf("read lesson feedback: %w", err)
	}
	out := map[string]lessons.Stats{}
	for i, id := range ids {
		h := counts[i].Val()
		cs := comments[i].Val()
		if len(h) == 0 && len(cs) == 0 {
			continue
		}
		var st lessons.Stats
		st.Completions, _ = strconv.Atoi(h["done"])
		for r := range st.Ratings {
			st.Ratings[r], _ = strconv.Atoi(h["r"+strconv.Itoa(r+1)])
		}
		st.Comments = cs
		out[id] = st
	}
	return out, nil
}
