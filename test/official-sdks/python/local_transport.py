"""Points the Python SDKs that build their own clients (the Encryption SDK's AcsClient, per call, for
the region in a CMK's ARN, over HTTPS to Alibaba's endpoints) at local endpoints over plain HTTP.
Only the transport: never the SDKs' cryptography or formats. ENDPOINTS maps region -> host:port."""
from aliyunsdkcore.client import AcsClient

ENDPOINTS = {}
_send = AcsClient.do_action_with_exception


def _local(self, acs_request):
    acs_request.set_protocol_type("http")
    acs_request.set_endpoint(ENDPOINTS[self.get_region_id()])
    return _send(self, acs_request)


AcsClient.do_action_with_exception = _local
