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
	"bufio"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"strings"
)

const (
	formatJSON    = "json"
	formatXML     = "xml"
	objectMinimal = "minimal"
	objectBasic   = "basic"
)

// Error ids. 0103, 0201 and 170A-170C are documented; the others are the simulator's own
// guesses, since PageSeeder does not document the ids of its 401, 403 and 404 answers.
const (
	idBadMethod       = "0103"
	idRequires        = "0201"
	idUnauthenticated = "0101"
	idForbidden       = "0102"
	idNotFound        = "0106"
	idPingStatus      = "170A"
	idPingHeader      = "170B"
	idPingConnection  = "170C"
)

// exchange carries, past the fault injection, what an error written there needs to know of the
// request: the format to answer in and the service path. It lets a dropped response close the
// connection, as simulator.Faults expects.
type exchange struct {
	http.ResponseWriter
	format  string
	request string
}

// Hijack hands the connection over, for faults that drop the response.
func (e *exchange) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(e.ResponseWriter).Hijack()
}

// Unwrap gives http.ResponseController the underlying writer.
func (e *exchange) Unwrap() http.ResponseWriter { return e.ResponseWriter }

// formatOf picks the answer's format: the .json or .xml suffix, else the Accept header, else
// XML, PageSeeder's default. The token endpoint speaks JSON, as OAuth does.
func formatOf(r *http.Request) string {
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, ".json"):
		return formatJSON
	case strings.HasSuffix(p, ".xml"):
		return formatXML
	case strings.HasPrefix(p, "/ps/oauth/"):
		return formatJSON
	case strings.Contains(r.Header.Get("Accept"), "application/json"):
		return formatJSON
	}
	return formatXML
}

// errorJSON is the flat JSON error document; PageSeeder also wraps it as {"error":{...}}, which
// the simulator does not.
type errorJSON struct {
	ID      string `json:"id"`
	Request string `json:"request"`
	Message string `json:"message"`
}

type errorXML struct {
	XMLName xml.Name `xml:"error"`
	ID      string   `xml:"id,attr"`
	Request string   `xml:"request"`
	Message string   `xml:"message"`
}

// writeError answers with PageSeeder's error document in the request's format.
func writeError(w http.ResponseWriter, r *http.Request, status int, id, message string) {
	writeErrorDoc(w, formatOf(r), r.URL.Path, status, id, message)
}

// writeFault is the simulator.ErrorWriter: an injected fault answers like the server would.
func writeFault(w http.ResponseWriter, status int, message, retryAfter string) {
	format, request := formatJSON, ""
	if ex, ok := w.(*exchange); ok {
		format, request = ex.format, ex.request
	}
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	writeErrorDoc(w, format, request, status, fmt.Sprintf("%04X", status), message)
}

func writeErrorDoc(w http.ResponseWriter, format, request string, status int, id, message string) {
	if format == formatJSON {
		writeJSON(w, status, errorJSON{ID: id, Request: request, Message: message})
		return
	}
	writeXML(w, status, errorXML{ID: id, Request: request, Message: message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeXML(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/xml;charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(v)
}

// clientJSON is the client embedded in each webhook, as in the documented sample.
type clientJSON struct {
	ID                 int64  `json:"id"`
	Identifier         string `json:"identifier"`
	RequiresConsent    bool   `json:"requiresConsent"`
	Confidential       bool   `json:"confidential"`
	Name               string `json:"name"`
	GrantType          string `json:"grantType"`
	Created            string `json:"created"`
	Modified           string `json:"modified"`
	AccessTokenMaxAge  int64  `json:"accessTokenMaxAge"`
	RefreshTokenMaxAge int64  `json:"refreshTokenMaxAge"`
}

// hookJSON is a webhook on the wire: id an integer (or the string SetWireID asks for), server
// and insecuressl booleans, the lists comma-separated strings.
type hookJSON struct {
	ID          any        `json:"id"`
	Created     string     `json:"created"`
	Modified    string     `json:"modified"`
	URL         string     `json:"url"`
	Server      bool       `json:"server"`
	Object      string     `json:"object"`
	Format      string     `json:"format"`
	InsecureSSL bool       `json:"insecuressl"`
	Status      string     `json:"status"`
	Name        string     `json:"name"`
	Events      string     `json:"events"`
	Projects    string     `json:"projects,omitempty"`
	Groups      string     `json:"groups,omitempty"`
	Client      clientJSON `json:"client"`
}

type clientXML struct {
	ID                 int64  `xml:"id,attr"`
	Identifier         string `xml:"identifier,attr"`
	RequiresConsent    bool   `xml:"requires-consent,attr"`
	Confidential       bool   `xml:"confidential,attr"`
	Name               string `xml:"name,attr"`
	GrantType          string `xml:"grant-type,attr"`
	Created            string `xml:"created,attr"`
	Modified           string `xml:"modified,attr"`
	AccessTokenMaxAge  int64  `xml:"access-token-max-age,attr"`
	RefreshTokenMaxAge int64  `xml:"refresh-token-max-age,attr"`
}

type hookXML struct {
	XMLName     xml.Name  `xml:"webhook"`
	ID          string    `xml:"id,attr"`
	Created     string    `xml:"created,attr"`
	Modified    string    `xml:"modified,attr"`
	URL         string    `xml:"url,attr"`
	Server      bool      `xml:"server,attr"`
	Object      string    `xml:"object,attr"`
	Format      string    `xml:"format,attr"`
	InsecureSSL bool      `xml:"insecuressl,attr"`
	Status      string    `xml:"status,attr"`
	Name        string    `xml:"name,attr"`
	Events      string    `xml:"events,attr"`
	Projects    string    `xml:"projects,attr,omitempty"`
	Groups      string    `xml:"groups,attr,omitempty"`
	Client      clientXML `xml:"client"`
}

type hooksXML struct {
	XMLName xml.Name  `xml:"webhooks"`
	Hooks   []hookXML `xml:"webhook"`
}

func (s *Server) clientWireLocked(internalID int64) clientJSON {
	c, _ := s.clientLocked(internalID, true)
	return clientJSON{
		ID: c.internalID, Identifier: c.identifier, Name: c.name, GrantType: "client_credentials",
		Confidential: true, Created: c.created, Modified: c.created,
		AccessTokenMaxAge: int64(s.tokenLifetime.Seconds()), RefreshTokenMaxAge: 2592000,
	}
}

func (s *Server) hookWireLocked(h *Hook) hookJSON {
	var id any = h.ID
	if s.wireID != nil {
		if text := s.wireID(h.ID); text != "" {
			id = text
		}
	}
	return hookJSON{
		ID: id, Created: h.Created, Modified: h.Modified, URL: h.URL, Server: h.Server, Object: h.Object,
		Format: h.Format, InsecureSSL: h.InsecureSSL, Status: h.Status, Name: h.Name, Events: h.Events,
		Projects: h.Projects, Groups: h.Groups, Client: s.clientWireLocked(h.Client),
	}
}

func toXML(h hookJSON) hookXML {
	c := h.Client
	return hookXML{
		ID: fmt.Sprint(h.ID), Created: h.Created, Modified: h.Modified, URL: h.URL, Server: h.Server, Object: h.Object,
		Format: h.Format, InsecureSSL: h.InsecureSSL, Status: h.Status, Name: h.Name, Events: h.Events,
		Projects: h.Projects, Groups: h.Groups,
		Client: clientXML(c),
	}
}

func writeHook(w http.ResponseWriter, r *http.Request, status int, h hookJSON) {
	if formatOf(r) == formatJSON {
		writeJSON(w, status, h)
		return
	}
	writeXML(w, status, toXML(h))
}
