using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IncidentResponse.Server.Persistence.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FormerKeyIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_affected_people_incident_id_key_id",
                table: "affected_people",
                columns: new[] { "incident_id", "key_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_affected_people_incident_id_key_id",
                table: "affected_people");
        }
    }
}
