/*
Copyright 2026 The hookkeeper Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package pageseeder

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Webhook is a PageSeeder client webhook as the service reports it.
type Webhook struct {
	ID       int64
	Name     string
	URL      string
	Events   []string
	Projects []string
	Groups   []string
	Server   bool
	// Format is the posting format, json or xml.
	Format string
	// Object is minimal or basic.
	Object      string
	InsecureSSL bool
	// Status is pending (new or unverified), active, or whatever else PageSeeder reports.
	Status string
	// Created and Modified are kept as text so that an unexpected format never makes a whole
	// list unreadable; CreatedTime parses Created.
	Created  string
	Modified string
	// ClientID is the internal id of the OAuth client that owns the webhook, 0 when not reported.
	ClientID int64
}

// wireWebhook reads the JSON forms seen in the documentation and in PageSeeder's own SDK: id as
// a number or a string, server and insecuressl as booleans or strings, and the lists as
// comma-separated strings or arrays.
type wireWebhook struct {
	ID          flexInt  `json:"id"`
	Name        string   `json:"name"`
	URL         string   `json:"url"`
	Events      flexList `json:"events"`
	Projects    flexList `json:"projects"`
	Groups      flexList `json:"groups"`
	Server      flexBool `json:"server"`
	Format      string   `json:"format"`
	Object      string   `json:"object"`
	InsecureSSL flexBool `json:"insecuressl"`
	Status      string   `json:"status"`
	Created     string   `json:"created"`
	Modified    string   `json:"modified"`
	Client      *struct {
		ID flexInt `json:"id"`
	} `json:"client"`
}

// UnmarshalJSON reads a webhook in any of the forms PageSeeder is known to write.
func (w *Webhook) UnmarshalJSON(data []byte) error {
	var in wireWebhook
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*w = Webhook{
		ID: int64(in.ID), Name: in.Name, URL: in.URL, Events: in.Events, Projects: in.Projects,
		Groups: in.Groups, Server: bool(in.Server), Format: in.Format, Object: in.Object,
		InsecureSSL: bool(in.InsecureSSL), Status: in.Status, Created: in.Created, Modified: in.Modified,
	}
	if in.Client != nil {
		w.ClientID = int64(in.Client.ID)
	}
	return nil
}

// clone returns a deep copy of w, or nil for nil.
func (w *Webhook) clone() *Webhook {
	if w == nil {
		return nil
	}
	c := *w
	c.Events = slices.Clone(w.Events)
	c.Projects = slices.Clone(w.Projects)
	c.Groups = slices.Clone(w.Groups)
	return &c
}

// usable reports whether w is a whole webhook rather than an acknowledgement.
func (w *Webhook) usable() bool {
	return w != nil && w.ID > 0 && w.URL != ""
}

// createdLayouts: RFC 3339 covers "+10:00" and "Z"; the others cover offsets without a colon
// and times without a zone.
var createdLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
}

// CreatedTime parses Created. It reports false when Created is empty or unreadable.
func (w *Webhook) CreatedTime() (time.Time, bool) {
	s := strings.TrimSpace(w.Created)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range createdLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

type flexInt int64

func (v *flexInt) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(data)), `"`)
	if s == "" || s == "null" {
		*v = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// The value is not quoted: it comes from the server and could be anything, of any length.
		return errors.New("id is not an integer")
	}
	*v = flexInt(n)
	return nil
}

type flexBool bool

func (v *flexBool) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(data)), `"`)
	*v = flexBool(strings.EqualFold(s, "true"))
	return nil
}

type flexList []string

func (v *flexList) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	var items []string
	switch {
	case len(data) > 0 && data[0] == '[':
		if err := json.Unmarshal(data, &items); err != nil {
			return err
		}
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		items = strings.Split(s, ",")
	}
	*v = nil
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			*v = append(*v, it)
		}
	}
	return nil
}
