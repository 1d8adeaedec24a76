package dev.smartflow.compliance.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecretRecognizersTest {
    @Test
    void apiKeys() {
        String key = "sk-proj-abc123DEF456ghi789JKL012mno";
        assertEquals(List.of("API_KEY:" + key), Found.in("OPENAI_API_KEY=" + key));
        assertEquals(List.of("API_KEY:sk-ant-api03-AbCdEf0123456789xyz"),
                Found.in("key sk-ant-api03-AbCdEf0123456789xyz ok"));
        assertEquals(List.of(), Found.in("use sk-learn and sk-this-is-just-words-here"));
    }

    @Test
    void awsAccessKeys() {
        assertEquals(List.of("AWS_ACCESS_KEY:AKIAIOSFODNN7EXAMPLE"),
                Found.in("aws_access_key_id = AKIAIOSFODNN7EXAMPLE"));
        assertEquals(List.of(), Found.in("AKIAIOSFODNN7EXAMPLEX"));
        assertEquals(List.of(), Found.in("AKIAshort"));
    }

    @Test
    void githubTokens() {
        assertEquals(List.of("GITHUB_TOKEN:ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                Found.in("token ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"));
        String pat = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz";
        assertEquals(List.of("GITHUB_TOKEN:" + pat), Found.in(pat));
        assertEquals(List.of(), Found.in("ghp_short and ghx_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"));
    }

    @Test
    void jwts() {
        String jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
                + "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assertEquals(List.of("JWT:" + jwt), Found.in("Authorization: Bearer " + jwt));
        // base64 of {"foo":1}: a JSON object, but no JWT header
        assertEquals(List.of(), Found.in("eyJmb28iOjF9.eyJzdWIiOiIxIn0.abcdefghijkl"));
    }

    @Test
    void privateKeyBlocksWholeOrCutOff() {
        String block = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----";
        assertEquals(List.of("PRIVATE_KEY:" + block), Found.in("here:\n" + block + "\nthanks"));
        String cut = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA";
        assertEquals(List.of("PRIVATE_KEY:" + cut), Found.in(cut));
        assertEquals(List.of(), Found.in("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"));
    }
}
