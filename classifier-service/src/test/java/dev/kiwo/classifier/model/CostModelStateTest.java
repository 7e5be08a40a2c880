package dev.kiwo.classifier.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiwo.model.Job;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class CostModelStateTest {

    private static final CostModelSettings DEFAULTS = CostModelSettings.defaults();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void survivesJsonExactly() {
        CostModel model = new CostModel(DEFAULTS);
        new WorkerCosts(17).train(model, 400);
        CostModelState state = model.state();

        String json = JSON.writeValueAsString(state);
        CostModelState read = JSON.readValue(json, CostModelState.class);

        assertThat(read).isEqualTo(state);
        assertThat(JSON.writeValueAsString(read)).isEqualTo(json);
        assertThat(json).contains("\"version\":1", "\"samples\":400");
    }

    @Test
    void aRestoredModelPredictsAndLearnsExactlyAsTheOriginal() {
        CostModel original = new CostModel(DEFAULTS);
        new WorkerCosts(19).train(original, 400);
        CostModel restored = CostModel.fromState(DEFAULTS,
                JSON.readValue(JSON.writeValueAsString(original.state()), CostModelState.class));
        Job job = WorkerCosts.job(49, 199, 49);

        assertThat(restored.predictHighQuantile(job)).isEqualTo(original.predictHighQuantile(job));
        assertThat(restored.samples()).isEqualTo(400);

        new WorkerCosts(23).train(original, 100);
        new WorkerCosts(23).train(restored, 100);
        assertThat(restored.coefficients()).containsExactly(original.coefficients());
        assertThat(restored.predictHighQuantile(job)).isEqualTo(original.predictHighQuantile(job));
        assertThat(restored.state()).isEqualTo(original.state());
    }

    @Test
    void rejectsAStateOfAnotherVersionOrShapeOrWithNonFiniteNumbers() {
        CostModelState good = new CostModel(DEFAULTS).state();

        assertThatThrownBy(() -> CostModel.fromState(DEFAULTS, new CostModelState(2, good.coefficients(),
                good.covariance(), 0, good.residualDigest(), 0))).hasMessageContaining("version 2");
        assertThatThrownBy(() -> CostModel.fromState(DEFAULTS, new CostModelState(1, List.of(1.0, 2.0),
                good.covariance(), 0, good.residualDigest(), 0))).hasMessageContaining("4 coefficients");
        assertThatThrownBy(() -> CostModel.fromState(DEFAULTS, new CostModelState(1,
                List.of(Double.NaN, 0.0, 0.0, 0.0), good.covariance(), 0, good.residualDigest(), 0)))
                .hasMessageContaining("must be finite");
    }
}
