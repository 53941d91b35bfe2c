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

package v1alpha1

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// StalledReason reports whether a Ready reason means Stalled: the operator will not get any
// further until a person changes the spec, the credentials, another Webhook or an annotation.
// Every other reason of a Ready condition that is not True means Reconciling.
func StalledReason(reason string) bool {
	switch reason {
	case ReasonInvalidSpec, ReasonUnauthorized, ReasonCredentialsNotFound, ReasonConflict, ReasonPaused,
		ReasonAccountNotFound, ReasonAccountNotPermitted, ReasonTargetNotPermitted, ReasonAccountLimitReached:
		return true
	}
	return false
}

// SetReady sets the Ready condition, the kstatus conditions Reconciling and Stalled that follow
// from its reason, and the observed generation, so that the three never disagree. Reconciling and
// Stalled stay present when False: the API conventions ask a controller to set its conditions at
// its first visit, and kstatus reads False as it reads an absent condition. Setting the same
// values again changes nothing (lastTransitionTime moves only with the status), so a resync that
// finds nothing new has nothing to write.
func (wh *Webhook) SetReady(status metav1.ConditionStatus, reason, message string) {
	wh.Status.ObservedGeneration = wh.Generation
	stalled := status != metav1.ConditionTrue && StalledReason(reason)
	reconciling := status != metav1.ConditionTrue && !stalled
	wh.setCondition(ConditionReady, status, reason, message)
	wh.setFlag(ConditionReconciling, reconciling, reason, message)
	wh.setFlag(ConditionStalled, stalled, reason, message)
}

// setFlag sets an abnormal-true condition. Its message is kept only while it is True: that is
// the message kstatus and Flux show.
func (wh *Webhook) setFlag(typ string, on bool, reason, message string) {
	if !on {
		wh.setCondition(typ, metav1.ConditionFalse, reason, "")
		return
	}
	wh.setCondition(typ, metav1.ConditionTrue, reason, message)
}

func (wh *Webhook) setCondition(typ string, status metav1.ConditionStatus, reason, message string) {
	meta.SetStatusCondition(&wh.Status.Conditions, metav1.Condition{
		Type:               typ,
		Status:             status,
		Reason:             reason,
		Message:            message,
		ObservedGeneration: wh.Generation,
	})
}

// SetReady sets an account's Ready condition and the kstatus conditions that follow from its
// reason, for the given generation, as Webhook.SetReady does.
func (s *AccountStatus) SetReady(generation int64, status metav1.ConditionStatus, reason, message string) {
	s.ObservedGeneration = generation
	stalled := status != metav1.ConditionTrue && StalledReason(reason)
	reconciling := status != metav1.ConditionTrue && !stalled
	set := func(typ string, st metav1.ConditionStatus, msg string) {
		meta.SetStatusCondition(&s.Conditions, metav1.Condition{Type: typ, Status: st, Reason: reason, Message: msg, ObservedGeneration: generation})
	}
	flag := func(typ string, on bool) {
		if on {
			set(typ, metav1.ConditionTrue, message)
		} else {
			set(typ, metav1.ConditionFalse, "")
		}
	}
	set(ConditionReady, status, message)
	flag(ConditionReconciling, reconciling)
	flag(ConditionStalled, stalled)
}
