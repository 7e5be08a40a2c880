package dev.kiwo.api.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.UUID;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Decides the correlation id of every request and echoes it, also on error responses. An unacceptable
 * client value is never echoed; the request gets a fresh id and the job endpoint reports the header as bad.
 * The id is in the logging context for the request, so every line logged while serving it carries it, also in
 * the dispatch that writes an asynchronous answer, which keeps the id decided for the request.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class CorrelationIdFilter extends OncePerRequestFilter {

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String id = (String) request.getAttribute(CorrelationId.ATTRIBUTE);
        if (id == null) {
            String supplied = request.getHeader(CorrelationId.HEADER);
            id = CorrelationId.isAcceptable(supplied) ? supplied : UUID.randomUUID().toString();
            request.setAttribute(CorrelationId.ATTRIBUTE, id);
            response.setHeader(CorrelationId.HEADER, id);
        }
        try (MDC.MDCCloseable logged = MDC.putCloseable(CorrelationId.MDC_KEY, id)) {
            chain.doFilter(request, response);
        }
    }
}
