package dev.kiwo.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.servlet.autoconfigure.MultipartAutoConfiguration;

/**
 * HTTP front door of kiwo: validates submitted jobs and produces them to {@code jobs.in}. It takes no multipart
 * bodies, so none is parsed: a parser would read any request declaring {@code multipart/form-data}, past the body
 * size cap, and fail one without a boundary as a server error.
 */
@SpringBootApplication(exclude = MultipartAutoConfiguration.class)
@ConfigurationPropertiesScan
public class ApiApplication {

    public static void main(String[] args) {
        SpringApplication.run(ApiApplication.class, args);
    }
}
