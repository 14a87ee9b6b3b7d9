"""The stable registry of audit action types. Values are stored; never rename a value."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    # Reads and searches of personal data
    CASE_VIEW = "case.view", _("Viewed case")
    CASE_LIST = "case.list", _("Listed cases")
    CASE_SEARCH = "case.search", _("Searched cases")
    CPR_REVEAL = "cpr.reveal", _("Revealed CPR number")
    ACCESS_LOG_VIEW = "audit.access_log_view", _("Viewed access log")
    SECURITY_LOG_VIEW = "audit.security_view", _("Viewed refused accesses or role changes")
    # Changes
    CASE_CREATE = "case.create", _("Created case")
    CASE_UPDATE = "case.update", _("Changed case")
    CASE_CLOSE = "case.close", _("Closed case")
    CASE_REOPEN = "case.reopen", _("Reopened case")
    CASE_ARCHIVE_EXPORT = "case.archive_export", _("Exported a closed case for the archive")
    CASE_ASSIGN = "case.assign", _("Assigned caseworker")
    CASE_UNASSIGN = "case.unassign", _("Removed caseworker")
    CASE_REFER = "case.refer", _("Referred case to unit")
    CASE_RESTRICT = "case.restrict", _("Restricted a case to named staff")
    CASE_RESTRICTION_CHANGE = "case.restriction_change", _("Changed who may open a restricted case")
    CASE_UNRESTRICT = "case.unrestrict", _("Lifted the restriction of a case")
    CASE_BREAK_GLASS = "case.break_glass", _("Opened a restricted case with a stated reason")
    CHILD_CREATE = "child.create", _("Created child")
    CHILD_UPDATE = "child.update", _("Changed child")
    SIBLING_LINK = "child.sibling_link", _("Linked siblings")
    SIBLING_UNLINK = "child.sibling_unlink", _("Unlinked siblings")
    SAFETY_CONCERN = "case.safety_concern", _("Recorded safety concern (§ 18 stk. 3)")
    RISK_ASSESSMENT = "case.risk_assessment", _("Recorded risk assessment")
    SAFETY_GATE_BLOCK = "case.safety_gate_block", _("Blocked by the safety gate")
    # Network map (DOMAIN §3)
    NETWORK_VIEW = "network.view", _("Viewed network map")
    NETWORK_CONSENT = "network.consent", _("Recorded consent to make the network map")
    NETWORK_PERSON_ADD = "network.person_add", _("Added person to network map")
    NETWORK_PERSON_UPDATE = "network.person_update", _("Changed person on network map")
    NETWORK_PERSON_REMOVE = "network.person_remove", _("Removed person from network map")
    NETWORK_RELATION = "network.relation", _("Changed relation on network map")
    CONSENT_GIVEN = "consent.given", _("Recorded consent to share information")
    CONSENT_WITHDRAWN = "consent.withdrawn", _("Recorded withdrawal of consent")
    # Network meetings (DOMAIN §5) and personal links (§11)
    MEETING_VIEW = "meeting.view", _("Viewed network meeting")
    MEETING_CREATE = "meeting.create", _("Planned network meeting")
    MEETING_UPDATE = "meeting.update", _("Changed network meeting")
    MEETING_PARTICIPANTS = "meeting.participants", _("Changed meeting participants")
    MEETING_INVITE = "meeting.invite", _("Sent meeting invitations")
    MEETING_LETTER = "meeting.letter", _("Printed meeting letter")
    MEETING_NOTES = "meeting.notes", _("Wrote meeting notes")
    MEETING_ATTENDANCE = "meeting.attendance", _("Recorded attendance")
    MEETING_COMPLETE = "meeting.complete", _("Completed network meeting")
    MEETING_CANCEL = "meeting.cancel", _("Cancelled network meeting")
    MINUTES_SENT = "meeting.minutes_sent", _("Approved and sent minutes")
    MEETING_EXPORT = "meeting.export", _("Exported minutes for journalisation")
    MEETING_JOURNALISE = "meeting.journalise", _("Marked minutes as journalised")
    AGREEMENT_ADD = "agreement.add", _("Recorded agreement")
    AGREEMENT_REMOVE = "agreement.remove", _("Removed agreement")
    AGREEMENT_STATUS = "agreement.status", _("Changed agreement status")
    MESSAGE_SENT = "message.sent", _("Sent message to participant")
    MESSAGE_REFUSED = "message.refused", _("Message not sent (no consent)")
    LINK_VIEW = "link.view", _("Participant opened personal link")
    LINK_REVOKE = "link.revoke", _("Revoked personal link")
    LINK_REFUSED = "link.refused", _("Personal link refused")
    MEETING_RSVP = "meeting.rsvp", _("Participant answered invitation")
    MEETING_EVALUATION = "meeting.evaluation", _("Participant answered evaluation")
    # Family group conferences (DOMAIN §6)
    CONFERENCE_VIEW = "conference.view", _("Viewed family group conference")
    CONFERENCE_QUEUE_VIEW = "conference.queue_view", _("Viewed the FGC service's queue")
    CONFERENCE_REFER = "conference.refer", _("Referred to a family group conference")
    CONFERENCE_UPDATE = "conference.update", _("Changed family group conference")
    CONFERENCE_ALLOCATE = "conference.allocate", _("Allocated coordinator")
    CONFERENCE_WITHDRAW = "conference.withdraw", _("Withdrew family group conference")
    CONFERENCE_PREPARATION = "conference.preparation", _("Recorded preparation of family group conference")
    CONFERENCE_INFORMATION = "conference.information", _("Recorded information given at conference")
    CONFERENCE_PRIVATE_TIME = "conference.private_time", _("Recorded private family time")
    CONFERENCE_PLAN_ITEM = "conference.plan_item", _("Changed item of the family's plan")
    CONFERENCE_REVIEW = "conference.review", _("Reviewed item of the family's plan")
    CONFERENCE_WELLBEING = "conference.wellbeing", _("Recorded the child's well-being")
    CONFERENCE_COMPLETE = "conference.complete", _("Completed family group conference")
    CONFERENCE_DECISION = "conference.decision", _("Decided on item of the family's plan")
    CONFERENCE_PLAN_SENT = "conference.plan_sent", _("Approved and sent the family's plan")
    CONFERENCE_CLOSE = "conference.close", _("Closed family group conference")
    CONFERENCE_COST = "conference.cost", _("Changed costs of family group conference")
    MEETING_RSVP_STAFF = "meeting.rsvp_staff", _("Recorded a participant's answer")
    # Signs of Safety, the child's voice, the plan (DOMAIN §7–9)
    SOS_VIEW = "sos.view", _("Viewed Signs of Safety mapping")
    SOS_MAPPING = "sos.mapping", _("Saved a version of the Signs of Safety mapping")
    SOS_SCALING = "sos.scaling", _("Recorded scaling")
    SAFETY_PLAN = "sos.safety_plan", _("Changed the safety plan")
    VOICE_VIEW = "voice.view", _("Viewed the child's voice")
    VOICE_CHANGE = "voice.change", _("Recorded the child's voice")
    CHILD_INPUT = "voice.child_input", _("The child answered on their page")
    CHILD_INPUT_REVIEW = "voice.review", _("Reviewed the child's answers")
    PLAN_VIEW = "plan.view", _("Viewed the child's plan or the agreement list")
    PLAN_CHANGE = "plan.change", _("Changed the child's plan")
    # Kinship placement and contact (DOMAIN §10)
    PLACEMENT_VIEW = "placement.view", _("Viewed the exploration of the network or the contact plan")
    PLACEMENT_EXPLORATION = "placement.exploration", _("Started or closed the exploration of the network")
    PLACEMENT_CANDIDATE = "placement.candidate", _("Changed a placement candidate")
    PLACEMENT_DECISION = "placement.decision", _("Recorded a placement decision")
    CONTACT_CHANGE = "placement.contact", _("Changed the contact plan")
    # Leadership insights
    INSIGHTS_VIEW = "insights.view", _("Viewed leadership figures")
    INSIGHTS_EXPORT = "insights.export", _("Exported leadership figures")
    # Documents (uploads)
    DOCUMENT_UPLOAD = "document.upload", _("Uploaded document")
    DOCUMENT_VIEW = "document.view", _("Downloaded document")
    # Accounts and sessions
    LOGIN = "auth.login", _("Logged in")
    LOGIN_FAILED = "auth.login_failed", _("Failed login")
    LOCKOUT = "auth.lockout", _("Account locked after failed logins")
    LOGOUT = "auth.logout", _("Logged out")
    SESSION_EXPIRED = "auth.session_expired", _("Session expired")
    OTP_ENROL = "auth.otp_enrol", _("Enrolled two-factor device")
    OTP_FAILED = "auth.otp_failed", _("Failed two-factor code")
    OTP_RESET = "auth.otp_reset", _("Reset two-factor device")
    SESSIONS_ENDED = "auth.sessions_ended", _("Ended all sessions of a user")
    USER_CREATE = "user.create", _("Created user")
    USER_UPDATE = "user.update", _("Changed user")
    USER_DEACTIVATE = "user.deactivate", _("Deactivated user")
    USER_ACTIVATE = "user.activate", _("Activated user")
    MEMBERSHIP_ADD = "user.membership_add", _("Added role")
    MEMBERSHIP_REMOVE = "user.membership_remove", _("Removed role")
    SETTINGS_CHANGE = "settings.change", _("Changed municipality settings")
    # The municipality's sign-on (kreds.sso)
    SSO_REFUSED = "auth.sso_refused", _("Refused a login through the municipality's identity provider")
    SSO_SETTINGS = "sso.settings", _("Changed the municipality's login")
    SSO_RULE_ADD = "sso.rule_add", _("Added a rule giving a role for a privilege")
    SSO_RULE_REMOVE = "sso.rule_remove", _("Removed a rule giving a role for a privilege")
    # Protected people (kreds.protection, issue 18)
    PROTECTION_ADD = "protection.add", _("Recorded a protection of a person's details")
    PROTECTION_CHANGE = "protection.change", _("Changed a protection of a person's details")
    PROTECTION_END = "protection.end", _("Ended a protection of a person's details")
    PROTECTION_VIEW = "protection.view", _("Saw a protected detail")
    PROTECTION_SEND_REFUSED = "protection.refused", _("Refused to send a protected detail")
    # Authorization
    ACCESS_DENIED = "authz.denied", _("Access denied")


# Actions that are reads of personal data (subject to read-log retention).
READ_ACTIONS = frozenset(
    {
        Action.CASE_VIEW,
        Action.PROTECTION_VIEW,
        Action.NETWORK_VIEW,
        Action.CASE_LIST,
        Action.CASE_SEARCH,
        Action.CPR_REVEAL,
        Action.ACCESS_LOG_VIEW,
        Action.MEETING_VIEW,
        Action.LINK_VIEW,
        Action.CONFERENCE_VIEW,
        Action.CONFERENCE_QUEUE_VIEW,
        Action.DOCUMENT_VIEW,
        Action.SOS_VIEW,
        Action.VOICE_VIEW,
        Action.PLAN_VIEW,
        Action.PLACEMENT_VIEW,
    }
)


class Purpose(models.TextChoices):
    CASEWORK = "casework", _("Casework")
    SUPERVISION = "supervision", _("Leadership and supervision")
    ADMINISTRATION = "administration", _("Administration")
    SECURITY = "security", _("Security")
