package dev.kiwo.api.web;

import dev.kiwo.api.ApiProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps request bodies at {@code kiwo.api.max-request-size}, batches ({@code application/x-ndjson}) at
 * {@code kiwo.api.max-batch-request-size}. The cap is enforced while the body is read, so it holds for chunked
 * bodies without Content-Length; a declared Content-Length above the cap fails on the first read without consuming
 * the body. The failure surfaces inside MVC, where it becomes a 413 problem.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class RequestSizeLimitFilter extends OncePerRequestFilter {

    private final long maxBytes;
    private final long maxBatchBytes;

    RequestSizeLimitFilter(ApiProperties properties) {
        this.maxBytes = properties.maxRequestSize().toBytes();
        this.maxBatchBytes = properties.maxBatchRequestSize().toBytes();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(new SizeLimitedRequest(request, isBatch(request) ? maxBatchBytes : maxBytes), response);
    }

    private static boolean isBatch(HttpServletRequest request) {
        String contentType = request.getContentType();
        try {
            return contentType != null
                    && MediaType.APPLICATION_NDJSON.equalsTypeAndSubtype(MediaType.parseMediaType(contentType));
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    private static final class SizeLimitedRequest extends HttpServletRequestWrapper {

        private final long maxBytes;
        private ServletInputStream stream;

        SizeLimitedRequest(HttpServletRequest request, long maxBytes) {
            super(request);
            this.maxBytes = maxBytes;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new SizeLimitedInputStream(super.getInputStream(), getContentLengthLong(), maxBytes);
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }

    private static final class SizeLimitedInputStream extends ServletInputStream {

        private final ServletInputStream delegate;
        private final long declaredLength;
        private final long maxBytes;
        private long count;

        SizeLimitedInputStream(ServletInputStream delegate, long declaredLength, long maxBytes) {
            this.delegate = delegate;
            this.declaredLength = declaredLength;
            this.maxBytes = maxBytes;
        }

        @Override
        public int read() throws IOException {
            checkDeclaredLength();
            int b = delegate.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            checkDeclaredLength();
            int n = delegate.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void checkDeclaredLength() {
            if (declaredLength > maxBytes) {
                throw RequestBodyTooLargeException.bytes(maxBytes);
            }
        }

        private void count(int n) {
            count += n;
            if (count > maxBytes) {
                throw RequestBodyTooLargeException.bytes(maxBytes);
            }
        }

        @Override
        public boolean isFinished() {
            return delegate.isFinished();
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            delegate.setReadListener(listener);
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}
