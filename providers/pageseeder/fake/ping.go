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

package fake

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/hookkeeper/hookkeeper/internal/test/simulator"
)

// SecretHeader is the header that carries the random value a receiver must echo.
const SecretHeader = "X-PS-Secret"

// The documented ways a ping fails besides a connection error (170C). A SetPingResult function
// returns them to choose the error id.
var (
	// ErrPingStatus: the receiver did not answer 2xx (error 170A).
	ErrPingStatus = errors.New("webhook HTTP code not 200")
	// ErrPingSecret: the receiver did not echo X-PS-Secret (error 170B).
	ErrPingSecret = errors.New("ping header missing or invalid")
)

// pingTimeout bounds the call to the receiver, well within a client's own timeout.
const pingTimeout = 5 * time.Second

// ping posts a webhook.ping event to the hook's url. The hook becomes active only when the
// receiver answers 2xx and echoes X-PS-Secret; otherwise the service fails with 170A, 170B or
// 170C and the hook keeps its status. PageSeeder does not document the HTTP status of those
// failures: the simulator uses 400.
func (s *Server) ping(w http.ResponseWriter, r *http.Request, client int64) {
	s.mu.Lock()
	h, ok := s.ownedLocked(r, client)
	var hook Hook
	if ok {
		hook = *h
	}
	result, rt := s.pingResult, s.pingTransport
	s.mu.Unlock()
	if !ok {
		notFound(w, r)
		return
	}
	var err error
	if result != nil {
		err = result(hook.URL)
	} else {
		err = s.post(r.Context(), &hook, rt)
	}
	if err != nil {
		id := idPingConnection
		switch {
		case errors.Is(err, ErrPingStatus):
			id = idPingStatus
		case errors.Is(err, ErrPingSecret):
			id = idPingHeader
		}
		writeError(w, r, http.StatusBadRequest, id, "Unable to ping webhook: "+err.Error())
		return
	}
	s.mu.Lock()
	if h, ok := s.hooks[hook.ID]; ok {
		kind := simulator.MutationActivate
		if h.Status != StatusPending && h.Status != StatusActive {
			kind = simulator.MutationReactivate // such as "disabled", which SetStatus sets
		}
		h.Status = StatusActive
		s.Log.Add(r, simulator.Mutation{Kind: kind, Remote: strconv.FormatInt(h.ID, 10), Name: h.Name, TargetURL: h.URL})
	}
	s.mu.Unlock()
	if formatOf(r) == formatJSON {
		writeJSON(w, http.StatusOK, map[string]struct{}{"ping-sent": {}})
		return
	}
	writeXML(w, http.StatusOK, struct {
		XMLName xml.Name `xml:"ping-sent"`
	}{})
}

type pingEvent struct {
	ID       string `json:"id" xml:"id,attr"`
	Datetime string `json:"datetime" xml:"datetime,attr"`
	Type     string `json:"type" xml:"type,attr"`
}

type pingHook struct {
	ID   int64  `json:"id" xml:"id,attr"`
	Name string `json:"name" xml:"name,attr"`
}

type pingBody struct {
	XMLName   xml.Name    `json:"-" xml:"webevents"`
	Webhook   pingHook    `json:"webhook" xml:"webhook"`
	Webevents []pingEvent `json:"webevents" xml:"webevent"`
}

// post delivers the ping in the hook's format and checks the answer.
func (s *Server) post(ctx context.Context, h *Hook, rt http.RoundTripper) error {
	body := pingBody{
		Webhook: pingHook{ID: h.ID, Name: h.Name},
		Webevents: []pingEvent{{ID: fmt.Sprintf("%d.%d", h.ID, time.Now().UnixNano()),
			Datetime: time.Now().In(serverZone).Format(timeLayout), Type: "webhook.ping"}},
	}
	var data []byte
	contentType := "application/json; charset=UTF-8"
	if h.Format == formatXML {
		data, _ = xml.Marshal(body)
		contentType = "application/xml; charset=UTF-8"
	} else {
		data, _ = json.Marshal(body)
	}
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(data))
	if err != nil {
		return err
	}
	secret := randomHex(5)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set(SecretHeader, secret)
	hc := &http.Client{
		Transport:     pingTransport(rt, h.InsecureSSL),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("connection to the webhook failed: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%w: HTTP %d", ErrPingStatus, resp.StatusCode)
	}
	if resp.Header.Get(SecretHeader) != secret {
		return ErrPingSecret
	}
	return nil
}

// insecureTransport skips the TLS checks, for hooks with insecuressl; one for all, so that its
// idle connections are reused rather than leaked.
var insecureTransport = sync.OnceValue(func() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the hook asked for it, as PageSeeder allows
	return t
})

// pingTransport honours insecuressl on the default transport; a transport set with
// SetPingTransport is used as it is.
func pingTransport(rt http.RoundTripper, insecure bool) http.RoundTripper {
	switch {
	case rt != nil:
		return rt
	case insecure:
		return insecureTransport()
	}
	return http.DefaultTransport
}
