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
	"crypto/hmac"
	"crypto/sha1" // Webex signs deliveries with HMAC-SHA1; the choice is theirs.
	"encoding/hex"
)

// SignatureHeader is the header in which Webex sends a delivery's signature.
const SignatureHeader = "X-Spark-Signature"

// Sign returns the signature Webex puts in X-Spark-Signature for a delivery of body signed
// with secret: the lower-case hex HMAC-SHA1 of the raw body.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha1.New, secret)
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}
