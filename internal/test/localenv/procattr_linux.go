//go:build linux

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

package localenv

import "syscall"

// operatorProcAttr gives the operator a process group of its own: Stop signals the group as a
// whole, and a Ctrl-C in the terminal reaches only the program that started it (the demo or the
// benchmark), which then stops everything in order. The kernel also kills the operator when that
// program dies without cleaning up (a crash, SIGKILL, a test timeout).
func operatorProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
