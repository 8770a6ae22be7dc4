//! The review-before-publish workflow (先审后发) as a pure state machine.
//!
//! The working revision moves draft → submitted → approved | rejected → published
//! (or scheduled, then published) → withdrawn. Whether a copy is *live* (published and
//! not withdrawn) is tracked beside the state: revising a live article starts a new draft
//! while the live copy keeps serving until the new revision is published.

use serde::{Deserialize, Serialize};

/// The state of an article's working revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ArticleState))]
pub enum State {
    /// Being written.
    Draft,
    /// Waiting for review.
    Submitted,
    /// Approved, not yet published.
    Approved,
    /// Sent back with a reason.
    Rejected,
    /// Approved and waiting for its publication time.
    Scheduled,
    /// The working revision is the live one.
    Published,
    /// Taken down with a reason.
    Withdrawn,
}

impl State {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::Approved => "approved",
            State::Rejected => "rejected",
            State::Scheduled => "scheduled",
            State::Published => "published",
            State::Withdrawn => "withdrawn",
        }
    }

    /// The state as staff read it (草稿, 待审核, 已通过, 已退回, 定时发布, 已发布, 已撤稿).
    pub fn label(self) -> &'static str {
        match self {
            State::Draft => "草稿",
            State::Submitted => "待审核",
            State::Approved => "已通过",
            State::Rejected => "已退回",
            State::Scheduled => "定时发布",
            State::Published => "已发布",
            State::Withdrawn => "已撤稿",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<State> {
        Some(match s {
            "draft" => State::Draft,
            "submitted" => State::Submitted,
            "approved" => State::Approved,
            "rejected" => State::Rejected,
            "scheduled" => State::Scheduled,
            "published" => State::Published,
            "withdrawn" => State::Withdrawn,
            _ => return None,
        })
    }
}

/// What a user asks the workflow to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Save a new revision.
    Revise,
    /// Send for review.
    Submit,
    /// Accept (never by the author).
    Approve,
    /// Send back (reason required).
    Reject,
    /// Make live now.
    Publish,
    /// Make live at a later time.
    Schedule,
    /// A due scheduled publication.
    PublishDue,
    /// Take the live copy down (reason required).
    Withdraw,
}

impl Transition {
    /// Wire name (used in audit records and errors).
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Revise => "revise",
            Transition::Submit => "submit",
            Transition::Approve => "approve",
            Transition::Reject => "reject",
            Transition::Publish => "publish",
            Transition::Schedule => "schedule",
            Transition::PublishDue => "publish-due",
            Transition::Withdraw => "withdraw",
        }
    }
}

/// The state after a legal transition, or `None` when the transition is illegal.
pub fn next_state(state: State, live: bool, t: Transition) -> Option<State> {
    use State::*;
    use Transition as T;
    match (t, state) {
        (T::Revise, Draft | Rejected | Published | Withdrawn) => Some(Draft),
        (T::Submit, Draft | Rejected) => Some(Submitted),
        (T::Approve, Submitted) => Some(Approved),
        (T::Reject, Submitted) => Some(Rejected),
        (T::Publish, Approved | Scheduled) => Some(Published),
        (T::Schedule, Approved) => Some(Scheduled),
        (T::PublishDue, Scheduled) => Some(Published),
        (T::Withdraw, _) if live => Some(Withdrawn),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATES: [State; 7] = [
        State::Draft,
        State::Submitted,
        State::Approved,
        State::Rejected,
        State::Scheduled,
        State::Published,
        State::Withdrawn,
    ];

    #[test]
    fn the_happy_path() {
        let mut s = State::Draft;
        for t in [Transition::Submit, Transition::Approve, Transition::Publish] {
            s = next_state(s, false, t).unwrap();
        }
        assert_eq!(s, State::Published);
        assert_eq!(
            next_state(s, true, Transition::Withdraw),
            Some(State::Withdrawn)
        );
    }

    #[test]
    fn nothing_reaches_published_without_approval() {
        for s in STATES {
            let via_publish = next_state(s, false, Transition::Publish);
            if via_publish == Some(State::Published) {
                assert!(
                    matches!(s, State::Approved | State::Scheduled),
                    "{s:?} published without approval"
                );
            }
        }
        assert_eq!(next_state(State::Draft, false, Transition::Publish), None);
        assert_eq!(
            next_state(State::Submitted, false, Transition::Publish),
            None
        );
        assert_eq!(
            next_state(State::Rejected, false, Transition::Publish),
            None
        );
    }

    #[test]
    fn withdraw_needs_a_live_copy() {
        for s in STATES {
            assert_eq!(next_state(s, false, Transition::Withdraw), None);
        }
        // A live article being revised can still be taken down.
        assert_eq!(
            next_state(State::Draft, true, Transition::Withdraw),
            Some(State::Withdrawn)
        );
    }

    #[test]
    fn reviews_only_happen_on_submitted_work() {
        for s in STATES {
            let legal = s == State::Submitted;
            assert_eq!(next_state(s, false, Transition::Approve).is_some(), legal);
            assert_eq!(next_state(s, false, Transition::Reject).is_some(), legal);
        }
    }

    #[test]
    fn work_under_review_cannot_be_edited() {
        for s in [State::Submitted, State::Approved, State::Scheduled] {
            assert_eq!(next_state(s, false, Transition::Revise), None);
        }
    }

    #[test]
    fn wire_names_round_trip() {
        for s in STATES {
            assert_eq!(State::parse(s.as_str()), Some(s));
        }
    }

    use proptest::prelude::*;

    fn any_transition() -> impl Strategy<Value = Transition> {
        prop::sample::select(vec![
            Transition::Revise,
            Transition::Submit,
            Transition::Approve,
            Transition::Reject,
            Transition::Publish,
            Transition::Schedule,
            Transition::PublishDue,
            Transition::Withdraw,
        ])
    }

    proptest! {
        /// The law of 先审后发: along any sequence of requests (illegal ones refused), every
        /// publication is of a revision that was approved after it was last submitted, and
        /// nothing is approved unless it was submitted.
        #[test]
        fn nothing_goes_live_unreviewed(steps in prop::collection::vec(any_transition(), 0..40)) {
            let (mut state, mut live) = (State::Draft, false);
            let (mut submitted, mut approved) = (false, false);
            for t in steps {
                let Some(next) = next_state(state, live, t) else { continue };
                match t {
                    Transition::Revise => (submitted, approved) = (false, false),
                    Transition::Submit => (submitted, approved) = (true, false),
                    Transition::Approve => {
                        prop_assert!(submitted, "approved without submission");
                        approved = true;
                    }
                    Transition::Reject => (submitted, approved) = (false, false),
                    Transition::Publish | Transition::PublishDue => {
                        prop_assert!(approved, "published without approval");
                        live = true;
                    }
                    Transition::Schedule => prop_assert!(approved, "scheduled without approval"),
                    Transition::Withdraw => {
                        prop_assert!(live, "withdrew nothing live");
                        live = false;
                    }
                }
                state = next;
                prop_assert!(state != State::Published || live);
            }
        }
    }
}
