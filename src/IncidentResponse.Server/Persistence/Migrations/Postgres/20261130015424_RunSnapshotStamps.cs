using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IncidentResponse.Server.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RunSnapshotStamps : Migration
    {
        /// <summary>
        /// Change stamps for remembered runs (docs/playbooks.md "Remembered runs"): every change to what a run reads,
        /// by anyone, moves its incident's stamp (the organisation's, row 00000000-...), so a transition decided on a
        /// remembered snapshot can check in its own statement that nothing it read has changed.
        /// </summary>
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE incident_stamps (incident_id uuid PRIMARY KEY, stamp bigint NOT NULL);

                CREATE FUNCTION ir_stamp_incident() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    changed jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
                    incident uuid;
                BEGIN
                    IF TG_ARGV[0] = 'organisation' THEN
                        incident := '00000000-0000-0000-0000-000000000000';
                    ELSIF TG_ARGV[0] = 'delay' THEN
                        SELECT d.incident_id INTO incident FROM law_enforcement_delays AS d WHERE d.id = (changed ->> 'delay_id')::uuid;
                    ELSE
                        incident := (changed ->> TG_ARGV[0])::uuid;
                    END IF;
                    IF incident IS NOT NULL THEN
                        INSERT INTO incident_stamps (incident_id, stamp) VALUES (incident, 1)
                        ON CONFLICT (incident_id) DO UPDATE SET stamp = incident_stamps.stamp + 1;
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE FUNCTION ir_snapshot_holds(holds boolean) RETURNS boolean LANGUAGE plpgsql AS $$
                BEGIN
                    IF holds IS NOT TRUE THEN
                        RAISE EXCEPTION 'The run, or what it reads, changed since it was read.' USING ERRCODE = 'serialization_failure';
                    END IF;
                    RETURN true;
                END $$;
                """);
            foreach (var (table, incident) in Stamped)
            {
                migrationBuilder.Sql($"CREATE TRIGGER stamp_incident AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION ir_stamp_incident('{incident}');");
            }
        }

        /// <summary>The tables a run reads (RunContext), and how a row names its incident.</summary>
        private static readonly (string Table, string Incident)[] Stamped =
        [
            ("incidents", "id"), ("milestones", "incident_id"), ("incident_members", "incident_id"), ("exercise_clocks", "incident_id"),
            ("incident_obligations", "incident_id"), ("incident_facts", "incident_id"), ("law_enforcement_delays", "incident_id"),
            ("delay_renewals", "delay"), ("letters", "incident_id"), ("affected_people_imports", "incident_id"), ("organisations", "organisation"),
        ];

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var (table, _) in Stamped)
            {
                migrationBuilder.Sql($"DROP TRIGGER stamp_incident ON {table};");
            }

            migrationBuilder.Sql("DROP FUNCTION ir_snapshot_holds(boolean); DROP FUNCTION ir_stamp_incident(); DROP TABLE incident_stamps;");
        }
    }
}
