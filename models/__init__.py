"""Every table of Baoxue, as SQLAlchemy 2.0 typed models that carry their own behaviour, a
module per area; `from models import X` reaches every one of them.

Codes are English (stored), labels are Chinese (shown). The schema only changes through
migrations/ (Flask-Migrate).

common      codes and labels, names (pinyin) and dates, Steps
people      School, User, UserSession, Term, ClassGroup
register    Student, Guardian, StatusChange
records     RecordCheck (非正常学籍 clean-up), Leaver (九年级 leavers' destinations)
special     DisabledChild (残联's list, assessment, placement)
papers      Cadre, Responsibility (双线四包), PledgeTemplate, Pledge, DocumentCounter
network     GradeLead (包年级), GroupMember (控辍保学领导小组)
aid         AidProgram, AidGrant
pairs       TutoringPair, TutoringSession
counseling  CounselingRecord (心理辅导, apart from the pairs)
attendance  Absence, EarlyWarning
cases       HomeVisit, DropoutCase, CaseStep, FollowUp, CaseNotice, HouseholdChild
risk        RiskOverride, RiskScore
work        Meeting, ActionItem, Activity, ActivityPhoto, WorkSummary
system      PrintJob, AuditLog
"""
from models.common import *  # noqa: F401,F403
from models.people import *  # noqa: F401,F403
from models.register import *  # noqa: F401,F403
from models.records import *  # noqa: F401,F403
from models.special import *  # noqa: F401,F403
from models.papers import *  # noqa: F401,F403
from models.network import *  # noqa: F401,F403
from models.aid import *  # noqa: F401,F403
from models.pairs import *  # noqa: F401,F403
from models.counseling import *  # noqa: F401,F403
from models.attendance import *  # noqa: F401,F403
from models.cases import *  # noqa: F401,F403
from models.risk import *  # noqa: F401,F403
from models.work import *  # noqa: F401,F403
from models.system import *  # noqa: F401,F403
