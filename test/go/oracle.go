// Command oracle runs Go's text/template, html/template and fmt.Sprintf over a batch of cases read
// as JSON from stdin and writes one JSON result per case to stdout. The TypeScript test suite uses
// it to compare the template engine with Go's real behaviour.
//
// Input, a JSON array of cases:
//
//	{"mode": "text"|"html"|"printf", "name"?: string, "template"?: string, "data"?: any,
//	 "format"?: string, "args"?: [any], "funcs"?: bool}
//
// Output, a JSON array with one result per case:
//
//	{"out"?: string, "err"?: string}
//
// On an execution error both are set (out holds what was written before the error); on a parse
// error only err.
//
// Values JSON cannot carry are sent as {"$lt": TAG, "v": TEXT} with TAG one of float (NaN, +Inf,
// -Inf, -0), int (decimal text), or an html/template content type name (HTML, HTMLAttr, JS, JSStr,
// CSS, URL, Srcset).
//
// JSON numbers that are integral and fit in int64 become Go ints, all others float64, matching the
// engine's rule for JavaScript numbers.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	texttemplate "text/template"
)

type testCase struct {
	Mode     string          `json:"mode"`
	Name     string          `json:"name"`
	Template string          `json:"template"`
	Data     json.RawMessage `json:"data"`
	Format   string          `json:"format"`
	Args     json.RawMessage `json:"args"`
	Funcs    bool            `json:"funcs"`
}

// parseError marks errors from parsing, after which there is no output at all.
type parseError struct{ error }

type result struct {
	Out *string `json:"out,omitempty"`
	Err *string `json:"err,omitempty"`
}

// decode parses one JSON value with numbers kept exact, then converts them to int or float64.
func decode(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return convert(v), nil
}

func convert(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return int(i)
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return string(x)
		}
		if f == math.Trunc(f) && math.Abs(f) < math.Pow(2, 63) {
			return int(f)
		}
		return f
	case []any:
		for i := range x {
			x[i] = convert(x[i])
		}
		return x
	case map[string]any:
		if tag, ok := x["$lt"].(string); ok && len(x) == 2 {
			if v, ok := x["v"].(string); ok {
				return tagged(tag, v)
			}
		}
		for k := range x {
			x[k] = convert(x[k])
		}
		return x
	default:
		return v
	}
}

// tagged builds the values JSON cannot carry: {"$lt": TAG, "v": TEXT}.
func tagged(tag, v string) any {
	switch tag {
	case "float":
		f, _ := strconv.ParseFloat(v, 64) // accepts NaN, +Inf, -Inf, -0
		return f
	case "int":
		i, _ := strconv.ParseInt(v, 10, 64)
		return int(i)
	case "HTML":
		return htmltemplate.HTML(v)
	case "HTMLAttr":
		return htmltemplate.HTMLAttr(v)
	case "JS":
		return htmltemplate.JS(v)
	case "JSStr":
		return htmltemplate.JSStr(v)
	case "CSS":
		return htmltemplate.CSS(v)
	case "URL":
		return htmltemplate.URL(v)
	case "Srcset":
		return htmltemplate.Srcset(v)
	}
	return map[string]any{"$lt": tag, "v": v}
}

// extraFuncs are available to templates when a case sets "funcs": true.
func extraFuncs() map[string]any {
	return map[string]any{
		"upper": strings.ToUpper,
		"lower": strings.ToLower,
		"add":   func(a, b int) int { return a + b },
		"fail":  func() (string, error) { return "", fmt.Errorf("fail called") },
		"list":  func(xs ...any) []any { return xs },
	}
}

func run(c testCase) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	name := c.Name
	if name == "" {
		name = "t"
	}
	data, err := decode(c.Data)
	if err != nil {
		return "", fmt.Errorf("oracle: bad data: %v", err)
	}
	var buf bytes.Buffer
	switch c.Mode {
	case "printf":
		argsV, err := decode(c.Args)
		if err != nil {
			return "", fmt.Errorf("oracle: bad args: %v", err)
		}
		args, _ := argsV.([]any)
		return fmt.Sprintf(c.Format, args...), nil
	case "text":
		t := texttemplate.New(name)
		if c.Funcs {
			t.Funcs(extraFuncs())
		}
		if _, err := t.Parse(c.Template); err != nil {
			return "", parseError{err}
		}
		err = t.Execute(&buf, data)
	case "html":
		t := htmltemplate.New(name)
		if c.Funcs {
			t.Funcs(extraFuncs())
		}
		if _, err := t.Parse(c.Template); err != nil {
			return "", parseError{err}
		}
		err = t.Execute(&buf, data)
	default:
		return "", fmt.Errorf("oracle: unknown mode %q", c.Mode)
	}
	return buf.String(), err
}

func main() {
	input, err := io.ReadAll(bufio.NewReader(os.Stdin))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var cases []testCase
	if err := json.Unmarshal(input, &cases); err != nil {
		fmt.Fprintln(os.Stderr, "oracle: bad input:", err)
		os.Exit(2)
	}
	results := make([]result, len(cases))
	for i, c := range cases {
		out, err := run(c)
		if err != nil {
			msg := err.Error()
			results[i].Err = &msg
			// Output written before an execution error is reported too (possibly ""); parse
			// errors have no output.
			if _, isParse := err.(parseError); !isParse {
				results[i].Out = &out
			}
		} else {
			results[i].Out = &out
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
