package dev.brink.cluster;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** {@link SampleResult} as Spark rows: the Parquet schema of the per-sample results. */
public final class SampleRows {
    private SampleRows() {}

    /** The columns, in {@link SampleResult}'s field order. */
    public static final StructType SCHEMA = new StructType(new StructField[] {
            DataTypes.createStructField("model", DataTypes.StringType, false),
            DataTypes.createStructField("attack", DataTypes.StringType, false),
            DataTypes.createStructField("norm", DataTypes.StringType, false),
            DataTypes.createStructField("eps", DataTypes.DoubleType, false),
            DataTypes.createStructField("index", DataTypes.IntegerType, false),
            DataTypes.createStructField("label", DataTypes.IntegerType, false),
            DataTypes.createStructField("clean_prediction", DataTypes.IntegerType, false),
            DataTypes.createStructField("prediction", DataTypes.IntegerType, false),
            DataTypes.createStructField("attacked", DataTypes.BooleanType, false),
            DataTypes.createStructField("success", DataTypes.BooleanType, false),
            DataTypes.createStructField("linf", DataTypes.DoubleType, false),
            DataTypes.createStructField("l2", DataTypes.DoubleType, false),
            DataTypes.createStructField("l1", DataTypes.DoubleType, false),
            DataTypes.createStructField("l0", DataTypes.DoubleType, false),
            DataTypes.createStructField("seconds", DataTypes.DoubleType, false),
            DataTypes.createStructField("shard", DataTypes.IntegerType, false),
            DataTypes.createStructField("shard_model_calls", DataTypes.LongType, false),
            DataTypes.createStructField("shard_seconds", DataTypes.DoubleType, false)});

    public static Row toRow(SampleResult r) {
        return RowFactory.create(r.model(), r.attack(), r.norm(), r.eps(), r.index(), r.label(), r.cleanPrediction(), r.prediction(), r.attacked(), r.success(),
                r.linf(), r.l2(), r.l1(), r.l0(), r.seconds(), r.shard(), r.shardCalls(), r.shardSeconds());
    }

    public static SampleResult fromRow(Row w) {
        return new SampleResult(w.getString(0), w.getString(1), w.getString(2), w.getDouble(3), w.getInt(4), w.getInt(5), w.getInt(6), w.getInt(7),
                w.getBoolean(8), w.getBoolean(9), w.getDouble(10), w.getDouble(11), w.getDouble(12), w.getDouble(13), w.getDouble(14), w.getInt(15),
                w.getLong(16), w.getDouble(17));
    }
}
