package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// apiError is a Bot API error answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func forbidden(desc string) *apiError {
	return &apiError{code: http.StatusForbidden, desc: "Forbidden: " + desc}
}

func tooManyRequests(seconds int) *apiError {
	return &apiError{
		code:       http.StatusTooManyRequests,
		desc:       "Too Many Requests: retry after " + strconv.Itoa(seconds),
		retryAfter: seconds,
	}
}

// statusError is the error a fault injects for an HTTP status.
func statusError(status int) *apiError {
	switch {
	case status == http.StatusTooManyRequests:
		return tooManyRequests(1)
	case status >= 500:
		return &apiError{code: status, desc: "Internal Server Error"}
	}
	desc := http.StatusText(status)
	if desc == "" {
		desc = "Error"
	}
	return &apiError{code: status, desc: desc}
}

// request is one bot call with its parameters, whatever their encoding.
type request struct {
	ctx    context.Context
	params map[string]string
	files  []File
}

func (r *request) has(key string) bool {
	_, ok := r.params[key]
	return ok
}

// json returns the parameter key if it carries a JSON value ("null" counts as absent).
func (r *request) json(key string) (string, bool) {
	v, ok := r.params[key]
	if !ok || v == "" || v == "null" {
		return "", false
	}
	return v, true
}

// int returns an integer parameter; absent or empty gives def.
func (r *request) int(key string, def int64) (int64, error) {
	v, ok := r.params[key]
	if !ok || v == "" {
		return def, nil
	}
	n, err := parseInt64(v)
	if err != nil {
		return 0, fmt.Errorf("field %q must be of type Integer", key)
	}
	return n, nil
}

func (r *request) bool(key string) bool {
	v := r.params[key]
	return v == "true" || v == "1" || v == "True"
}

func parseInt64(v string) (int64, error) { return strconv.ParseInt(strings.TrimSpace(v), 10, 64) }

// readParams gathers a call's parameters from the query string and from a
// form, multipart or JSON body, all as strings (objects stay JSON text).
func readParams(r *http.Request) (map[string]string, []File, error) {
	params := make(map[string]string)
	for k, v := range r.URL.Query() {
		params[k] = v[0]
	}
	if r.Body == nil || r.Method == http.MethodGet {
		return params, nil, nil
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ctype {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return nil, nil, err
		}
		for k, v := range r.MultipartForm.Value {
			params[k] = v[0]
		}
		var files []File
		for field, hs := range r.MultipartForm.File {
			for _, h := range hs {
				f := File{Field: field, Name: h.Filename, Size: h.Size}
				var err error
				if f.Data, err = readUpload(h); err != nil {
					return nil, nil, err
				}
				files = append(files, f)
			}
		}
		return params, files, nil
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, nil, err
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return params, nil, nil
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return nil, nil, err
		}
		for k, raw := range obj {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				params[k] = str
			} else {
				params[k] = string(raw)
			}
		}
		return params, nil, nil
	default:
		if err := r.ParseForm(); err != nil {
			return nil, nil, err
		}
		for k, v := range r.PostForm {
			params[k] = v[0]
		}
		return params, nil, nil
	}
}

// writeResult answers {"ok":true,"result":...}.
func writeResult(w http.ResponseWriter, result []byte) {
	w.Header().Set("Content-Type", "application/json")
	buf := make([]byte, 0, len(result)+24)
	buf = append(buf, `{"ok":true,"result":`...)
	buf = append(buf, result...)
	buf = append(buf, '}')
	w.Write(buf)
}

type errorBody struct {
	OK          bool         `json:"ok"`
	ErrorCode   int          `json:"error_code"`
	Description string       `json:"description"`
	Parameters  *errorParams `json:"parameters,omitempty"`
}

type errorParams struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

// writeError answers Telegram's error shape with the error's code as HTTP status.
func writeError(w http.ResponseWriter, e *apiError) {
	body := errorBody{ErrorCode: e.code, Description: e.desc}
	if e.retryAfter > 0 {
		body.Parameters = &errorParams{RetryAfter: e.retryAfter}
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.code)
	w.Write(b)
}
