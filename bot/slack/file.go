package slack

import (
	"bytes"
	"context"
	"fmt"

	slackapi "github.com/slack-go/slack"

	"github.com/m4pris/mentorbot/flows"
)

// sendFile uploads a file (the /export) to the user's DM, never to a channel, with its text before it. The three
// steps of Slack's upload are scheduled and retried one by one, so a failure after the bytes were uploaded does
// not upload them again.
func (a *Adapter) sendFile(ctx context.Context, user string, to target, r flows.Reply) error {
	dm, err := a.dm(ctx, user)
	if err != nil {
		return err
	}
	if to.channel != "" && to.channel != dm && to.responseURL != "" {
		note := flows.Reply{Text: a.eng.Content().T(a.langOf(ctx, user), "slack.file_in_dm", nil)}
		if err := a.postEphemeral(ctx, to, note); err != nil {
			a.log.Warn("slack: ephemeral note failed", "err", err)
		}
	}
	if r.Text != "" {
		if err := a.postAll(ctx, dm, []flows.Reply{{Text: r.Text}}); err != nil {
			return err
		}
	}
	var up *slackapi.GetUploadURLExternalResponse
	err = a.call(ctx, methodUploadURL, "", func(ctx context.Context) error {
		var err error
		up, err = a.api.GetUploadURLExternalContext(ctx, slackapi.GetUploadURLExternalParameters{
			FileName: r.File.Name, FileSize: len(r.File.Data)})
		return err
	})
	if err != nil {
		return fmt.Errorf("upload file: %w", err)
	}
	err = a.call(ctx, methodUpload, "", func(ctx context.Context) error {
		return a.api.UploadToURL(ctx, slackapi.UploadToURLParameters{
			UploadURL: up.UploadURL, Filename: r.File.Name, Reader: bytes.NewReader(r.File.Data)})
	})
	if err != nil {
		return fmt.Errorf("upload file: %w", err)
	}
	err = a.call(ctx, methodComplete, dm, func(ctx context.Context) error {
		_, err := a.api.CompleteUploadExternalContext(ctx, slackapi.CompleteUploadExternalParameters{
			Files: []slackapi.FileSummary{{ID: up.FileID, Title: r.File.Name}}, Channel: dm})
		return err
	})
	if err != nil {
		return fmt.Errorf("upload file: %w", err)
	}
	a.m.Sent()
	return nil
}
