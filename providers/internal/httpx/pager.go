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

package httpx

import (
	"errors"
	"fmt"
)

// The reasons a Pager stops a listing, for errors.Is.
var (
	ErrPageRepeated = errors.New("the list repeats a page")
	ErrTooManyPages = errors.New("the list has too many pages")
)

// Pager bounds a listing that follows the server's next links (or page states) from page to
// page: a server that points back at a page it already served, itself included, stops the
// listing at once instead of holding a reconcile for the page limit, and a server whose links
// never end stops at the limit. A Pager serves one listing; it is not safe for concurrent use.
type Pager struct {
	max   int
	pages int
	seen  map[string]struct{}
}

// NewPager returns a Pager that allows at most maxPages pages (at least one), the first included.
func NewPager(maxPages int) *Pager {
	return &Pager{max: max(maxPages, 1), pages: 1, seen: map[string]struct{}{}}
}

// Next records link, the next page's link or state taken from the page just read, before it is
// requested. Its error, which wraps ErrPageRepeated or ErrTooManyPages, means the listing must
// stop; the caller reports it as the server's failure. The first page's own address is not
// passed: a page that links to itself costs two requests, the second proving the loop.
func (p *Pager) Next(link string) error {
	if _, repeated := p.seen[link]; repeated {
		return ErrPageRepeated
	}
	if p.pages >= p.max {
		return fmt.Errorf("%w: more than %d", ErrTooManyPages, p.max)
	}
	p.seen[link] = struct{}{}
	p.pages++
	return nil
}
