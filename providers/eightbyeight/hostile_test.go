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

package eightbyeight_test

import (
	"context"
	"testing"

	"github.com/hookkeeper/hookkeeper/providers"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight"
	"github.com/hookkeeper/hookkeeper/providers/eightbyeight/fake"
)

// hostileSubAccounts pass the CRD's pattern, which only keeps out whitespace, "/" and "*", but
// would bring terminal escapes, bidi controls or zero-width characters into status.id.
var hostileSubAccounts = map[string]string{
	"terminal escape":  "\x1b[31mSales",
	"bidi override":    "Sales\u202e",
	"bidi isolate":     "\u2066Sales\u2069",
	"zero-width space": "Sa\u200bles",
	"BOM":              "\ufeffSales",
	"C1 control":       "Sales\u009b",
}

// TestHostileSubAccountIsRefused: a spec with such a sub-account is Invalid, and a webhook that
// 8x8 lists with one is left out, as one that no id can name: it cannot be the Webhook's own,
// whose key comes from a valid spec, so leaving it out never creates anything twice.
func TestHostileSubAccountIsRefused(t *testing.T) {
	for name, sub := range hostileSubAccounts {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			req := newRequest(func(r *providers.Request) { r.Spec.EightByEight.SubAccountID = sub })
			err := e.prov.Validate(req)
			if providers.KindOf(err) != providers.KindInvalid {
				t.Fatalf("Validate = %v, want Invalid", err)
			}
			if _, err := e.prov.Create(context.Background(), req); providers.KindOf(err) != providers.KindInvalid {
				t.Fatalf("Create = %v, want Invalid", err)
			}

			e.srv.Seed(account, fake.Hook{SubAccountID: sub, Type: string(eightbyeight.TypeMSG), URL: "https://hooks.example.com/x"})
			e.srv.Seed(account, fake.Hook{SubAccountID: subAccount, Type: string(eightbyeight.TypeMSG), URL: "https://hooks.example.com/8x8"})
			list, err := e.prov.List(context.Background(), newRequest())
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if len(list) != 1 || list[0].ID != id(subAccount, string(eightbyeight.TypeMSG)) {
				t.Fatalf("List = %+v, want only the webhook of %s", list, subAccount)
			}
			for _, r := range list {
				if !providers.ValidID(r.ID, providers.MaxID) {
					t.Fatalf("List reported id %q", r.ID)
				}
			}
		})
	}
}
