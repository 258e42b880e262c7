package flows

// The per-feature parts of a Profile. Each feature owns its struct (and may move it to a file of its own); they live
// in this package because the Profile is one document.

// CheckinData (check-in schedule and sealed scores) lives in checkin_data.go.

// LessonData (lesson progress) lives in lessondata.go.

// MentoringData and NudgeSettings live in mentoring.go.
