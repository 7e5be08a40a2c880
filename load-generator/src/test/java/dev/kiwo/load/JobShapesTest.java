package dev.kiwo.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiwo.model.JobClass;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class JobShapesTest {

    @Test
    void lightShapesStayBelowEveryHeavyThreshold() {
        JobShapes shapes = new JobShapes(1);

        IntStream.range(0, 2_000).mapToObj(i -> shapes.next(JobClass.LIGHT)).forEach(body -> {
            assertThat((double) body.get("fileSizeMb")).isLessThan(50);
            assertThat((int) body.get("pageCount")).isLessThan(200);
            assertThat((int) body.get("imageCount")).isLessThan(50);
        });
    }

    @Test
    void heavyShapesCrossAtLeastTheFileSizeThreshold() {
        JobShapes shapes = new JobShapes(1);

        IntStream.range(0, 2_000).mapToObj(i -> shapes.next(JobClass.HEAVY))
                .forEach(body -> assertThat((double) body.get("fileSizeMb")).isGreaterThanOrEqualTo(50));
    }

    @Test
    void theSameSeedGivesTheSameJobs() {
        Map<String, Object> a = new JobShapes(9).next(JobClass.HEAVY);
        Map<String, Object> b = new JobShapes(9).next(JobClass.HEAVY);

        assertThat(a).isEqualTo(b);
    }
}
