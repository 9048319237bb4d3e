/**
 * The fake API server's TLS identity: kubectl (client-go) sends bearer tokens only over TLS, so the
 * fake serves HTTPS when asked. A throwaway self-signed P-256 certificate for 127.0.0.1 and localhost,
 * valid 2020-2120, that is its own CA (kubeconfigs carry it as certificate-authority-data). It
 * protects nothing. Made with `openssl req -new` then `openssl ca -selfsign -startdate 20200101000000Z
 * -enddate 21200101000000Z` with subjectAltName=IP:127.0.0.1,DNS:localhost, basicConstraints=CA:TRUE.
 */
export const FAKE_KUBE_API_CERT = `-----BEGIN CERTIFICATE-----
MIIBlDCCATqgAwIBAgIBATAKBggqhkjOPQQDAjAYMRYwFAYDVQQDDA1mYWtlLWt1
YmUtYXBpMCAXDTIwMDEwMTAwMDAwMFoYDzIxMjAwMTAxMDAwMDAwWjAYMRYwFAYD
VQQDDA1mYWtlLWt1YmUtYXBpMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHPKn
lmX7G11VVGVfYD8145nrQut3d/i6by+WSQpqp8ygMlWPe6MN3QcQlbWjWYZUSH5/
7njfdwiQoylnvzwrCKNzMHEwGgYDVR0RBBMwEYcEfwAAAYIJbG9jYWxob3N0MA8G
A1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgKEMBMGA1UdJQQMMAoGCCsGAQUF
BwMBMB0GA1UdDgQWBBQyiRPJ1uTHuPo0qqXNENy5L0pGATAKBggqhkjOPQQDAgNI
ADBFAiEA7UsQCuEtyvITcd/aeAqf4cG9iEG6MnCG7EcWDg4OEosCIDL0mdhvV+ho
t8ksv5jBMoSuc/YRrHl0cpvGuuzV1xvK
-----END CERTIFICATE-----
`;

export const FAKE_KUBE_API_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgiSsNSXPp78iY/M3i
922s3SiHYA2jjT0K5sujJW8S0tKhRANCAAQc8qeWZfsbXVVUZV9gPzXjmetC63d3
+LpvL5ZJCmqnzKAyVY97ow3dBxCVtaNZhlRIfn/ueN93CJCjKWe/PCsI
-----END PRIVATE KEY-----
`;
