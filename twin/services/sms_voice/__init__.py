"""AWS End User Messaging SMS (pinpoint-sms-voice-v2), as the offline AWS answers it."""

from twin.services.sms_voice.fake import SmsVoiceFake

__all__ = ["SmsVoiceFake"]
