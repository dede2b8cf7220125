package azure

import "regexp"

// sasQuery matches the query string of a URL that carries a SAS signature (sig=), up to the next
// character that cannot be in a URL, and a bare sig= parameter elsewhere.
var (
	sasQuery = regexp.MustCompile(`(?i)\?[^\s"'<>]*\bsig=[^\s"'<>]*`)
	bareSig  = regexp.MustCompile(`(?i)\b(sig|signature)=[A-Za-z0-9%+/=_-]+`)
)

// RedactedSAS replaces a SAS query string in text.
const RedactedSAS = "?REDACTED-SAS"

// Redact strips SAS query strings (and any sig= value) from text. It is the one function that every
// error and line leaving the plugin passes through (the adapters' Ui wrappers and returned errors),
// because Packer core prints ui.Error and returned errors with its own filter, which does not know the
// plugin's secrets.
func Redact(s string) string {
	s = sasQuery.ReplaceAllString(s, RedactedSAS)
	return bareSig.ReplaceAllString(s, "${1}=REDACTED")
}

// RedactError returns err with a redacted message; errors.As and errors.Is still see the original.
func RedactError(err error) error {
	if err == nil {
		return nil
	}
	msg := Redact(err.Error())
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

var _ interface{ Unwrap() error } = (*redactedError)(nil)
