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

package testutil

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
)

// Resolver is a *net.Resolver whose name server is in the process: it answers each name of
// answers (without its trailing dot, any case) with its addresses, and every other name with
// NXDOMAIN, so that a test controls what a name resolves to without the machine's DNS. Lookups
// counts the queries it answered.
type Resolver struct {
	*net.Resolver
	Lookups atomic.Int64
	answers map[string][]netip.Addr
}

// NewResolver returns a Resolver for answers.
func NewResolver(answers map[string][]netip.Addr) *Resolver {
	r := &Resolver{answers: map[string][]netip.Addr{}}
	for name, addrs := range answers {
		r.answers[strings.ToLower(strings.TrimSuffix(name, "."))] = addrs
	}
	r.Resolver = &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		client, server := net.Pipe()
		go r.serve(server)
		return client, nil
	}}
	return r
}

// serve answers the queries of one connection. net.Pipe is no PacketConn, so the resolver
// frames each message with a two-byte length, as over TCP.
func (r *Resolver) serve(conn net.Conn) {
	defer func() { _ = conn.Close() }()
	for {
		var size [2]byte
		if _, err := io.ReadFull(conn, size[:]); err != nil {
			return
		}
		query := make([]byte, binary.BigEndian.Uint16(size[:]))
		if _, err := io.ReadFull(conn, query); err != nil {
			return
		}
		answer, err := r.answer(query)
		if err != nil {
			return
		}
		r.Lookups.Add(1)
		out := binary.BigEndian.AppendUint16(nil, uint16(len(answer)))
		if _, err := conn.Write(append(out, answer...)); err != nil {
			return
		}
	}
}

// answer builds the response to one query: its header and question, then an A or AAAA record
// per address of the asked type.
func (r *Resolver) answer(query []byte) ([]byte, error) {
	name, end, err := questionName(query)
	if err != nil || end+4 > len(query) {
		return nil, errors.New("unreadable query")
	}
	qtype := binary.BigEndian.Uint16(query[end:])
	addrs, known := r.answers[name]
	var records [][]byte
	for _, a := range addrs {
		switch {
		case qtype == 1 && a.Is4():
			records = append(records, a.AsSlice())
		case qtype == 28 && a.Is6():
			records = append(records, a.AsSlice())
		}
	}
	out := append([]byte(nil), query[:2]...) // id
	flags := uint16(0x8180)                  // response, recursion desired and available
	if !known {
		flags |= 3 // NXDOMAIN
	}
	out = binary.BigEndian.AppendUint16(out, flags)
	out = append(out, 0, 1)                                        // one question
	out = binary.BigEndian.AppendUint16(out, uint16(len(records))) // answers
	out = append(out, 0, 0, 0, 0)                                  // no authority, no additional
	out = append(out, query[12:end+4]...)
	for _, rdata := range records {
		out = append(out, 0xc0, 12) // the question's name
		out = binary.BigEndian.AppendUint16(out, qtype)
		out = append(out, 0, 1, 0, 0, 0, 60) // class IN, TTL 60 s
		out = binary.BigEndian.AppendUint16(out, uint16(len(rdata)))
		out = append(out, rdata...)
	}
	return out, nil
}

// questionName reads the name of the first question, lower-cased and without its final dot, and
// returns the offset just after it.
func questionName(msg []byte) (string, int, error) {
	var labels []string
	i := 12
	for i < len(msg) {
		n := int(msg[i])
		if n == 0 {
			return strings.ToLower(strings.Join(labels, ".")), i + 1, nil
		}
		if n > 63 || i+1+n > len(msg) {
			break
		}
		labels = append(labels, string(msg[i+1:i+1+n]))
		i += 1 + n
	}
	return "", 0, errors.New("unreadable name")
}
